/**
 * A run's configuration: everything that defines what it measures, stored with the run (`runs.params`) and
 * decoded through this schema whenever a run is read. Three kinds: an eval (a model on a dataset), a regrade (a
 * run's stored responses graded again) and a calibration (a judge on the spec's own labelled responses).
 * Secrets never enter it: base URLs are stored without credentials.
 */
import { z } from "zod";
import { DatabaseError } from "../errors.js";
import { JudgingSettingsSchema } from "../judge/index.js";
import type { StoredRun } from "../store/index.js";
import { isStale } from "./liveness.js";

const GenerationSchema = z.object({
  maxTokens: z.number().int(),
  temperature: z.number().nullable().default(null),
});

const FiltersSchema = z.object({
  section: z.array(z.string()),
  top: z.array(z.string()),
  authority: z.array(z.string()),
  tag: z.array(z.string()),
});

/** Where the spec came from, as `--spec` takes it: a folder (absolute) or a release version. */
const SpecSourceSchema = z.string().nullable().default(null);

const EvalConfigSchema = z.object({
  kind: z.literal("eval"),
  specSource: SpecSourceSchema,
  /** `eval-prompts`, `examples`, a JSONL path, or `samples` for samples given to the library. */
  dataset: z.string(),
  filters: FiltersSchema,
  limit: z.number().int().nullable(),
  seed: z.number().int().nullable(),
  epochs: z.number().int(),
  generation: GenerationSchema,
  judging: JudgingSettingsSchema,
  baseUrl: z.string().nullable().default(null),
  judgeBaseUrl: z.string().nullable().default(null),
  /** The app's system prompt put at the head of every sample (null: none; runs before it have none). */
  systemPrompt: z.string().nullable().default(null),
  /** The app's developer prompt, after the system prompt (null: none). */
  developerPrompt: z.string().nullable().default(null),
});

const RegradeConfigSchema = z.object({
  kind: z.literal("regrade"),
  /** The run whose stored responses are graded again. */
  regradeOf: z.string(),
  specSource: SpecSourceSchema,
  judging: JudgingSettingsSchema,
  judgeBaseUrl: z.string().nullable().default(null),
});

const CalibrationConfigSchema = z.object({
  kind: z.literal("calibration"),
  specSource: SpecSourceSchema,
  /** Sections whose labelled responses are graded; empty: all. */
  sections: z.array(z.string()).default([]),
  /** A subset of them: at most `limit`, a random one with `seed` (null: all). */
  limit: z.number().int().nullable().default(null),
  seed: z.number().int().nullable().default(null),
  judging: JudgingSettingsSchema,
  judgeBaseUrl: z.string().nullable().default(null),
});

/** Runs stored before `kind` was written are recognised by their fields. */
function withKind(value: unknown): unknown {
  if (typeof value !== "object" || value === null || "kind" in value) return value;
  const kind = "regradeOf" in value ? "regrade" : "dataset" in value ? "eval" : "calibration";
  return { ...value, kind };
}

const RunConfigSchema = z.preprocess(
  withKind,
  z.discriminatedUnion("kind", [EvalConfigSchema, RegradeConfigSchema, CalibrationConfigSchema]),
);
export type RunConfig = z.infer<typeof RunConfigSchema>;
export type EvalConfig = z.infer<typeof EvalConfigSchema>;
export type RegradeConfig = z.infer<typeof RegradeConfigSchema>;
export type CalibrationConfig = z.infer<typeof CalibrationConfigSchema>;

/** A run as the library shows it: the stored record with its configuration decoded. */
export interface RunRecord extends Omit<StoredRun, "params"> {
  params: RunConfig;
}

/**
 * Decodes a stored run's configuration; a configuration this modelspec cannot read is a `DatabaseError`. A run
 * stored as running whose process stopped giving signs of life (killed, crashed) reads as interrupted.
 */
export function decodeRun(run: StoredRun, now = Date.now()): RunRecord {
  const parsed = RunConfigSchema.safeParse(run.params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DatabaseError(
      `run ${run.id}: stored configuration cannot be read (${issue?.path.join(".") || "params"}: ${issue?.message ?? "invalid"})`,
    );
  }
  const status = run.status === "running" && isStale(run, now) ? "interrupted" : run.status;
  return { ...run, status, params: parsed.data };
}

/**
 * A base URL as recorded with a run: credentials written into it (user:password@, a query, a fragment) never
 * reach the disk.
 */
export function withoutCredentials(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    parsed.hash = "";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}
