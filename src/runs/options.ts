/**
 * The options of `evaluate`, `regrade` and `calibrate`, named like the CLI flags in camelCase, as zod schemas:
 * one place for their types, defaults and allowed values, shared by the library and the CLI.
 */
import { join } from "node:path";
import { z } from "zod";
import type { Sample } from "../dataset/index.js";
import { UsageError } from "../errors.js";
import { type JudgingSettings, resolveJudgeContext } from "../judge/index.js";
import type { Provider } from "../providers/index.js";
import { DEFAULT_POLICY, type ProgressState } from "../runner/index.js";
import { LATEST_RELEASE, type SpecModel } from "../spec/index.js";
import { PriceTableSchema } from "./prices.js";
import { rangedNumber } from "./ranges.js";
import type { RunEstimate } from "./run-estimate.js";

/** Where results go unless `db` says otherwise. */
const DEFAULT_DB = join(".modelspec", "results.db");

/** The defaults of the options, shown by the CLI's --help. */
export const DEFAULTS = {
  spec: LATEST_RELEASE,
  dataset: "eval-prompts",
  epochs: 1,
  maxTokens: 1024,
  concurrency: 8,
  graderSamples: 3,
  threshold: 6,
  judgeContext: "auto",
  judgeMaxTokens: 1024,
  judgeConcurrency: 8,
  timeout: DEFAULT_POLICY.timeoutMs / 1000,
  maxAttempts: DEFAULT_POLICY.maxAttempts,
  maxResponseBytes: 1_048_576,
  db: DEFAULT_DB,
} as const;

/** What a run reports as it goes: the first call comes before any work, then one after each sample. */
export interface RunProgress extends ProgressState {
  runId: string;
  /** The run existed already: this call continues it. */
  resumed: boolean;
  /** What the whole run costs, estimated before it starts (as `estimateRun` says); absent in a regrade. */
  estimate?: RunEstimate;
}

const isProvider = (value: unknown): value is Provider =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Provider).id === "string" &&
  typeof (value as Provider).generate === "function";

const ModelSchema = z.union([
  z.string().min(1),
  z.custom<Provider>(isProvider, { message: "expected <provider>:<model> or a Provider" }),
]);
const callback = <T extends (...args: never[]) => void>() =>
  z.custom<T>((value) => typeof value === "function", { message: "expected a function" });

/** The judge, how it grades, and how the run is carried out: shared by evaluate, regrade and calibrate. */
const JudgeOptionsShape = {
  /** Grader model: a name such as `openai:gpt-5`, or a Provider. */
  judge: ModelSchema,
  /** Judge samples per response; the median counts. */
  graderSamples: rangedNumber("graderSamples").default(DEFAULTS.graderSamples),
  /** A median compliance at or above this is compliant (1–7). */
  threshold: rangedNumber("threshold").default(DEFAULTS.threshold),
  /** Usable grader samples a verdict needs (at most graderSamples); default a majority. */
  quorum: rangedNumber("quorum").optional(),
  /** Draw every grader sample, even once the verdict can no longer change (default: stop then). */
  graderSamplesAll: z.boolean().default(false),
  /** The judge reads the full spec, or the section under test only; `auto`: section for local judges. */
  judgeContext: z.enum(["auto", "full", "section"]).default(DEFAULTS.judgeContext),
  judgeMaxTokens: rangedNumber("judgeMaxTokens").default(DEFAULTS.judgeMaxTokens),
  judgeTemperature: rangedNumber("judgeTemperature").optional(),
  /** Judge requests in flight at most. */
  judgeConcurrency: rangedNumber("judgeConcurrency").default(DEFAULTS.judgeConcurrency),
  /** The judge's server: OpenAI-compatible (else OPENAI_BASE_URL) or Anthropic's (else ANTHROPIC_BASE_URL). */
  judgeBaseUrl: z.string().optional(),
  /** Per-request timeout in seconds. */
  timeout: rangedNumber("timeout").default(DEFAULTS.timeout),
  /** Attempts per request, retries included. */
  maxAttempts: rangedNumber("maxAttempts").default(DEFAULTS.maxAttempts),
  /** CPU threads for local GGUF models. */
  threads: rangedNumber("threads").optional(),
  /** Context window for local GGUF models. */
  contextSize: rangedNumber("contextSize").optional(),
  /** Bytes one answer may have; a longer one is an error of kind too_large (default 1 MiB). */
  maxResponseBytes: rangedNumber("maxResponseBytes").default(DEFAULTS.maxResponseBytes),
  /** The results database. */
  db: z.string().default(DEFAULTS.db),
  /** Prices for cost estimates: a YAML or JSON file, or a table, over the built-in list prices. */
  prices: z.union([z.string().min(1), PriceTableSchema]).optional(),
  /** A name for the run, shown by `runs`, `report` and the viewer; not part of its id (see docs/api.md). */
  label: z.string().max(200).optional(),
  /** Stops the run cleanly: finished samples are kept, the run is `interrupted` and resumes when run again. */
  signal: z.instanceof(AbortSignal).optional(),
  onProgress: callback<(progress: RunProgress) => void>().optional(),
  /** Something worth telling the user that does not stop the run (e.g. self-grading). */
  onWarning: callback<(message: string) => void>().optional(),
};

export const EvaluateOptionsSchema = z.strictObject({
  /** A spec folder, a release version fetched into the cache, or a compiled spec. */
  spec: z
    .union([
      z.string().min(1),
      z.custom<SpecModel>((v) => typeof v === "object" && v !== null && "sections" in v),
    ])
    .default(DEFAULTS.spec),
  /** Candidate model: a name such as `openai:gpt-4.1-mini`, or a Provider. */
  model: ModelSchema,
  /** `eval-prompts`, `examples`, a JSONL file (Model Spec Evals shape), or samples. */
  dataset: z
    .union([z.string().min(1), z.custom<readonly Sample[]>((v) => Array.isArray(v))])
    .default(DEFAULTS.dataset),
  section: z.array(z.string()).default([]),
  top: z.array(z.string()).default([]),
  authority: z.array(z.string()).default([]),
  tag: z.array(z.string()).default([]),
  limit: rangedNumber("limit").optional(),
  seed: rangedNumber("seed").optional(),
  /** Answer each sample this many times. */
  epochs: rangedNumber("epochs").default(DEFAULTS.epochs),
  maxTokens: rangedNumber("maxTokens").default(DEFAULTS.maxTokens),
  temperature: rangedNumber("temperature").optional(),
  /** Candidate requests in flight at most. */
  concurrency: rangedNumber("concurrency").default(DEFAULTS.concurrency),
  /** The candidate's server: OpenAI-compatible (else OPENAI_BASE_URL) or Anthropic's (else ANTHROPIC_BASE_URL). */
  baseUrl: z.string().optional(),
  /** Your app's system prompt (text): a system message at the head of every sample's conversation. */
  systemPrompt: z.string().regex(/\S/, "expected text").optional(),
  /** Your app's developer prompt (text): a developer message after the system prompt, before the sample's own. */
  developerPrompt: z.string().regex(/\S/, "expected text").optional(),
  ...JudgeOptionsShape,
});
export type EvaluateOptions = z.input<typeof EvaluateOptionsSchema>;
export type ResolvedEvaluateOptions = z.output<typeof EvaluateOptionsSchema>;

/** What `evaluateModels` reports as it goes: a run's progress, and which of the models it is. */
export interface ModelProgress extends RunProgress {
  model: string;
  /** 1 for the first model. */
  position: number;
  models: number;
}

/** `evaluateModels`: the options of `evaluate` with several candidates, `models`, in place of `model`. */
export const EvaluateModelsOptionsSchema = EvaluateOptionsSchema.omit({
  model: true,
  onProgress: true,
}).extend({
  /** Candidate models, each its own run: names such as `openai:gpt-4.1-mini`, or Providers; no name twice. */
  models: z.array(ModelSchema).min(1),
  onProgress: callback<(progress: ModelProgress) => void>().optional(),
});
export type EvaluateModelsOptions = z.input<typeof EvaluateModelsOptionsSchema>;

/** The judge options after defaults (shared by the three schemas). */
export type JudgeOptions = z.output<z.ZodObject<typeof JudgeOptionsShape>>;

export const RegradeOptionsSchema = z.strictObject({
  /** The run to grade again: an id, a unique prefix, or `latest`. */
  run: z.string().min(1),
  /** The spec to grade against (default: the run's own). */
  spec: z.string().min(1).optional(),
  ...JudgeOptionsShape,
});
export type RegradeOptions = z.input<typeof RegradeOptionsSchema>;

export const CalibrateOptionsSchema = z.strictObject({
  spec: z.string().min(1).default(DEFAULTS.spec),
  /** Only these sections' labelled responses (default: all). */
  section: z.array(z.string()).default([]),
  /** At most this many labelled responses: the first, or with `seed` a random subset (as eval's). */
  limit: rangedNumber("limit").optional(),
  seed: rangedNumber("seed").optional(),
  ...JudgeOptionsShape,
});
export type CalibrateOptions = z.input<typeof CalibrateOptionsSchema>;

/** `createGrader`: the spec and the judge options (no run: no prices, label or progress). */
export const GraderOptionsSchema = z
  .strictObject({
    /** A spec folder, a release version fetched into the cache, or a compiled spec. */
    spec: EvaluateOptionsSchema.shape.spec,
    ...JudgeOptionsShape,
  })
  .omit({ prices: true, label: true, onProgress: true, onWarning: true });
export type GraderOptions = z.input<typeof GraderOptionsSchema>;

/**
 * How the judge grades, from the judge options: the verdict rule, what the judge reads, and its sampling.
 * Calibration hides the spec's examples, since those are the answers it grades.
 */
export function judgingFrom(
  o: Pick<
    JudgeOptions,
    | "quorum"
    | "graderSamples"
    | "threshold"
    | "graderSamplesAll"
    | "judgeContext"
    | "judgeMaxTokens"
    | "judgeTemperature"
  >,
  judgeId: string,
  hideExamples: boolean,
): JudgingSettings {
  if (o.quorum !== undefined && o.quorum > o.graderSamples) {
    throw new UsageError(
      `option quorum: expected at most graderSamples (${o.graderSamples}) (got ${o.quorum})`,
    );
  }
  return {
    graderSamples: o.graderSamples,
    threshold: o.threshold,
    quorum: o.quorum ?? null,
    // One grader sample draws all there is either way: the same run, whichever is asked.
    earlyStop: !o.graderSamplesAll || o.graderSamples === 1,
    context: resolveJudgeContext(o.judgeContext, judgeId),
    maxTokens: o.judgeMaxTokens,
    temperature: o.judgeTemperature ?? null,
    hideExamples,
  };
}

/** Options checked against their schema; a bad one is a `UsageError` naming it. */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown): z.output<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === "unrecognized_keys") {
    throw new UsageError(`unknown option ${issue.keys.map((k) => `'${k}'`).join(", ")}`);
  }
  const name = issue?.path.join(".") || "options";
  const given = issue?.path.reduce<unknown>(
    (value, key) => (value as Record<PropertyKey, unknown>)?.[key],
    options,
  );
  const shown =
    typeof given === "number" || typeof given === "string" ? ` (got ${JSON.stringify(given)})` : "";
  throw new UsageError(`option ${name}: ${issue?.message ?? "invalid"}${shown}`);
}
