import { z } from "zod";
import { type Message, RoleSchema, textMessage } from "../conversation/index.js";
import { DatasetError } from "../errors.js";
import type { SpecModel } from "../spec/index.js";
import { readLines } from "./read-lines.js";
import type { Sample } from "./sample.js";

/**
 * A message of a dataset line: role and content, and optionally the attributes the spec writes on a message
 * (e.g. an assistant's tool call `recipient`, a tool's `name`), so that exported eval prompts keep them.
 */
const JsonlMessageSchema = z.object({
  role: RoleSchema,
  content: z.string(),
  attributes: z.record(z.string(), z.string()).optional(),
});

/** A dataset line's `input`: one user message as text, or the conversation's messages. */
export const JsonlInputSchema = z.union([z.string(), z.array(JsonlMessageSchema).min(1)]);

/**
 * The conversation of a dataset line's `input` (a text is one user message), attributes kept.
 *
 * @example
 * inputMessages([{ role: "user", content: "Hello" }]); // one user message
 */
export function inputMessages(input: z.output<typeof JsonlInputSchema>): Message[] {
  return typeof input === "string"
    ? [textMessage("user", input)]
    : input.map((m) => ({
        ...textMessage(m.role, m.content),
        ...(m.attributes && Object.keys(m.attributes).length > 0 ? { attributes: m.attributes } : {}),
      }));
}

/** One line of a dataset in the shape OpenAI's Model Spec Evals uses. */
const JsonlRecordSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  input: JsonlInputSchema,
  target: z.string().nullish(),
  metadata: z
    .object({
      top_level_section: z.string().nullish(),
      section_id: z.string().nullish(),
      focus_id: z.union([z.string(), z.number()]).nullish(),
    })
    .passthrough()
    .nullish(),
});
export type JsonlRecord = z.input<typeof JsonlRecordSchema>;

/**
 * Reads a JSONL dataset. A malformed line refuses the whole dataset with its line number: a run that
 * silently skipped lines would report on a different dataset than the one asked for (a `DatasetError` naming
 * the file and line). So does a line the judge could not grade honestly: one with neither a
 * `metadata.section_id` nor a `target` rubric, or (with a spec) a section id the spec does not have. With a
 * spec, samples get their section's authority and top-level section.
 *
 * @example
 * const samples = readJsonlDataset("my-prompts.jsonl", loadSpec("2025-12-18"));
 */
export function readJsonlDataset(path: string, model: SpecModel | null): Sample[] {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const lines = (function* () {
    try {
      yield* readLines(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!code || error instanceof DatasetError) throw error;
      throw new DatasetError(`${path}: cannot read dataset (${code})`);
    }
  })();
  for (const [number, line] of lines) {
    if (line.trim() === "") continue;
    const where = `${path}:${number}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new DatasetError(`${where}: not valid JSON`);
    }
    const parsed = JsonlRecordSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DatasetError(
        `${where}: ${issue?.path.join(".") || "record"}: ${issue?.message ?? "invalid"}`,
      );
    }
    const record = parsed.data;
    if (seen.has(record.id)) throw new DatasetError(`${where}: duplicate id '${record.id}'`);
    seen.add(record.id);
    const input = inputMessages(record.input);
    const sectionId = record.metadata?.section_id || null;
    const target = record.target?.trim() ? record.target : null;
    const section = sectionId && model ? model.sections.find((s) => s.id === sectionId) : undefined;
    if (sectionId && model && !section) {
      // Graded without its section and counted under one this spec does not have: refused, not guessed at.
      throw new DatasetError(`${where}: metadata.section_id '${sectionId}': no such section in the spec`);
    }
    if (!sectionId && !target) {
      throw new DatasetError(
        `${where}: no metadata.section_id and no target: the judge needs a section or a rubric to grade against`,
      );
    }
    samples.push({
      id: record.id,
      input,
      target,
      sectionId,
      topLevelSectionId: record.metadata?.top_level_section ?? section?.topLevelId ?? null,
      authority: section?.authority ?? null,
      focusId: record.metadata?.focus_id == null ? null : String(record.metadata.focus_id),
      references: [],
    });
  }
  if (samples.length === 0) throw new DatasetError(`${path}: dataset has no records`);
  return samples;
}

/**
 * A sample in the Model Spec Evals JSONL shape (one object per line of a dataset file).
 *
 * @example
 * const lines = evalPromptSamples(spec).map((s) => JSON.stringify(toJsonlRecord(s))).join("\n");
 */
export function toJsonlRecord(sample: Sample): JsonlRecord {
  return {
    id: sample.id,
    input: sample.input.map((m) => ({
      role: m.role,
      content: m.content,
      ...(m.attributes && Object.keys(m.attributes).length > 0 ? { attributes: m.attributes } : {}),
    })),
    target: sample.target,
    metadata: {
      top_level_section: sample.topLevelSectionId,
      section_id: sample.sectionId,
      focus_id: sample.focusId,
    },
  };
}
