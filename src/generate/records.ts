import { type Message, type Role, textMessage } from "../conversation/index.js";
import type { Sample } from "../dataset/index.js";
import { requestKey } from "../runner/index.js";
import type { Section } from "../spec/index.js";
import type { GeneratedPrompt } from "./schemas.js";

/**
 * One generated prompt, a line of the output: the Model Spec Evals shape that `eval --dataset` reads, with where
 * it came from in `metadata` (the generator, the adaptive round and the prompt it is a harder variant of).
 */
export interface GeneratedRecord {
  /** `gen-` and a hash of the section, conversation and rubric: the same prompt always has the same id. */
  id: string;
  input: { role: Role; content: string; attributes?: Record<string, string> }[];
  /** The rubric the judge grades against. */
  target: string;
  metadata: {
    top_level_section: string;
    section_id: string;
    focus_id: string;
    generator: string;
    /** 0 for the first generation; n for the harder variants of adaptive round n. */
    round: number;
    /** The id of the prompt this one is a harder variant of; null in round 0. */
    parent: string | null;
    /** App-prompt mode: `override` (the user's attempt) or `injection` (in tool output). */
    kind?: "override" | "injection";
  };
}

/** A focus as an id: lower-case words joined by hyphens, at most 60 characters. */
function focusId(focus: string): string {
  const slug = focus
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug === "" ? "general" : slug;
}

export function toRecord(
  prompt: GeneratedPrompt,
  section: Section,
  origin: { generator: string; round: number; parent: string | null; appPrompt: string | undefined },
): GeneratedRecord {
  const input: GeneratedRecord["input"] = [
    ...(origin.appPrompt === undefined ? [] : [{ role: "developer" as const, content: origin.appPrompt }]),
    ...prompt.messages.map((m) => ({
      role: m.role,
      content: m.content,
      ...(m.role === "tool" && m.tool_name.trim() !== "" ? { attributes: { name: m.tool_name.trim() } } : {}),
    })),
  ];
  const id = `gen-${requestKey({ section: section.id, input, target: prompt.rubric }).slice(0, 16)}`;
  return {
    id,
    input,
    target: prompt.rubric,
    metadata: {
      top_level_section: section.topLevelId,
      section_id: section.id,
      focus_id: focusId(prompt.focus),
      generator: origin.generator,
      round: origin.round,
      parent: origin.parent,
      ...(prompt.kind ? { kind: prompt.kind } : {}),
    },
  };
}

/** The text compared for near-duplicates: the generated messages (an app's developer prompt, shared by all, left out). */
export function dedupText(record: GeneratedRecord, app: boolean): string {
  return (app ? record.input.slice(1) : record.input).map((m) => m.content).join("\n");
}

export function recordMessages(record: GeneratedRecord): Message[] {
  return record.input.map((m) => ({
    ...textMessage(m.role, m.content),
    ...(m.attributes ? { attributes: m.attributes } : {}),
  }));
}

/** The record as a sample to answer and grade, as `eval --dataset` would read it. */
export function recordSample(record: GeneratedRecord, section: Section): Sample {
  return {
    id: record.id,
    input: recordMessages(record),
    target: record.target,
    sectionId: section.id,
    topLevelSectionId: section.topLevelId,
    authority: section.authority,
    focusId: record.metadata.focus_id,
    references: [],
  };
}
