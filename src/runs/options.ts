/**
 * The options of `evaluate`, `regrade` and `calibrate`, named like the CLI flags in camelCase, as zod schemas:
 * one place for their types, defaults and allowed values, shared by the library and the CLI.
 */
import { join } from "node:path";
import { z } from "zod";
import { checkOptions } from "../checked-options.js";
import type { Sample } from "../dataset/index.js";
import { UsageError } from "../errors.js";
import { type JudgingSettings, RUBRICS, resolveJudgeContext } from "../judge/index.js";
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
  minMargin: 2,
  generatorMaxTokens: 4096,
  generateBatch: 10,
  similarity: 0.5,
  adaptiveRounds: 2,
  /** `data sft`: the generator's budget for its reasoning and answer. */
  sftMaxTokens: 2048,
  /** `generate`, `data sft`: answers asked for at most per request. */
  maxAnswers: 3,
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

/**
 * How the judge grades (eval and regrade): `compliance` (default), or `safe-completion`, which adds severity and
 * helpfulness and a reward per sample (docs/training-data.md).
 */
function rubricOption() {
  return z.enum(RUBRICS).default("compliance");
}

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
  rubric: rubricOption(),
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
  rubric: rubricOption(),
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

/** The options of `preferencePairs` (training data): where pairs come from and which are kept. */
export const PreferencePairsOptionsSchema = z.strictObject({
  /** The spec whose examples give pairs (GOOD × BAD of one comparison). */
  spec: z.string().min(1).default(DEFAULTS.spec),
  /** Pairs from the spec's examples (default true); false: from the runs only, the spec is not read. */
  examples: z.boolean().default(true),
  /** Graded runs whose responses give pairs: ids, unique prefixes or `latest`. */
  runs: z.array(z.string().min(1)).default([]),
  db: z.string().min(1).default(DEFAULTS.db),
  /** A run pair's chosen response scores at least this many compliance points above its rejected one. */
  minMargin: rangedNumber("minMargin").default(DEFAULTS.minMargin),
  /** At most this many pairs per prompt, the widest margins first (default: all). */
  maxPairsPerPrompt: rangedNumber("maxPairsPerPrompt").optional(),
});
export type PreferencePairsOptions = z.input<typeof PreferencePairsOptionsSchema>;

/** `writePreferencePairs`: the pairs' options, the training format and where the file goes. */
export const WritePreferencePairsOptionsSchema = PreferencePairsOptionsSchema.extend({
  format: z.enum(["dpo", "trl"]),
  /** The training file; the provenance goes beside it (`pairs.jsonl` → `pairs.provenance.jsonl`). */
  out: z.string().min(1),
  /** Replace files that exist (default: refuse). */
  force: z.boolean().default(false),
});
export type WritePreferencePairsOptions = z.input<typeof WritePreferencePairsOptionsSchema>;

/**
 * `generatePrompts` (`modelspec generate`): new eval prompts for the selected sections, written by `generator`,
 * checked by `judge` (the validator, optional), near-duplicates removed; `adaptive` keeps the prompts `against`
 * fails and asks for harder variants of them, over `rounds` rounds.
 */
export const GenerateOptionsSchema = z
  .strictObject({
    ...JudgeOptionsShape,
    spec: EvaluateOptionsSchema.shape.spec,
    section: z.array(z.string()).default([]),
    top: z.array(z.string()).default([]),
    authority: z.array(z.string()).default([]),
    /** The model that writes the prompts: a name such as `openai:gpt-5`, or a Provider. */
    generator: ModelSchema,
    /** The generator's server (else OPENAI_BASE_URL / ANTHROPIC_BASE_URL). */
    generatorBaseUrl: z.string().optional(),
    /** Prompts to keep per section (in adaptive mode: asked for in the first round). */
    n: rangedNumber("generateCount"),
    /** Where the JSONL goes (written whole at the end, through a temporary file); none: only returned. */
    out: z.string().min(1).optional(),
    /** Replace an existing `out`. */
    force: z.boolean().default(false),
    /** The generator's answer budget and temperature. */
    maxTokens: rangedNumber("maxTokens").default(DEFAULTS.generatorMaxTokens),
    temperature: rangedNumber("temperature").optional(),
    /** Generator (and candidate) requests in flight at most. */
    concurrency: rangedNumber("concurrency").default(DEFAULTS.concurrency),
    /** Prompts asked for per request. */
    batch: rangedNumber("generateBatch").default(DEFAULTS.generateBatch),
    /** Requests per section at most (default: the batches `n` needs, and two more to make up for losses). */
    maxRequests: rangedNumber("generateRequests").optional(),
    maxAnswers: rangedNumber("maxAnswers").default(DEFAULTS.maxAnswers),
    similarity: rangedNumber("similarity").default(DEFAULTS.similarity),
    /** An app's developer prompt (text): prompts that try to override it, and tool output injecting into it. */
    appPrompt: z.string().regex(/\S/, "expected text").optional(),
    /** The validator and (adaptive) the grader; without it nothing is validated. */
    judge: ModelSchema.optional(),
    adaptive: z.boolean().default(false),
    /** The candidate of adaptive rounds. */
    against: ModelSchema.optional(),
    /** The candidate's server. */
    baseUrl: z.string().optional(),
    /** The candidate's answer budget. */
    againstMaxTokens: rangedNumber("maxTokens").default(DEFAULTS.maxTokens),
    rounds: rangedNumber("adaptiveRounds").default(DEFAULTS.adaptiveRounds),
  })
  .omit({ onProgress: true, onWarning: true, label: true, prices: true });
export type GenerateOptions = z.input<typeof GenerateOptionsSchema>;
export type ResolvedGenerateOptions = z.output<typeof GenerateOptionsSchema>;

/**
 * `reasoningData` (`modelspec data sft --reasoning`): prompts chosen as eval chooses its samples, a generator in
 * the candidate's place (`baseUrl`, `maxTokens`, `temperature`, `concurrency` are its), the judge as in eval.
 */
export const ReasoningDataOptionsSchema = EvaluateOptionsSchema.omit({
  model: true,
  epochs: true,
  onProgress: true,
}).extend({
  /** The model that writes the reasoning and the answer: a name such as `openai:gpt-5`, or a Provider. */
  generator: ModelSchema,
  maxTokens: rangedNumber("maxTokens").default(DEFAULTS.sftMaxTokens),
  /** Generator answers asked for at most per prompt: one that is not the JSON asked for is counted and re-asked. */
  maxAnswers: rangedNumber("maxAnswers").default(DEFAULTS.maxAnswers),
  /** The training file (chat fine-tuning JSONL); its provenance goes next to it (see docs/training-data.md). */
  out: z.string().min(1),
  /** Replace `out` (and its sidecar) when they exist. */
  force: z.boolean().default(false),
  /** Where the reasoning goes: the sidecar only, a top-level `reasoning` field, or the assistant text. */
  reasoningIn: z.enum(["sidecar", "field", "text"]).default("sidecar"),
  /** The counts so far (`compliant`: kept), once before any work, then after each prompt. */
  onProgress: callback<(progress: ProgressState) => void>().optional(),
});
export type ReasoningDataOptions = z.input<typeof ReasoningDataOptionsSchema>;

/** `createGrader`: the spec and the judge options (no run: no prices, label or progress). */
export const GraderOptionsSchema = z
  .strictObject({
    /** A spec folder, a release version fetched into the cache, or a compiled spec. */
    spec: EvaluateOptionsSchema.shape.spec,
    ...JudgeOptionsShape,
    rubric: rubricOption(),
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
  const safeCompletion = "rubric" in o && o.rubric === "safe-completion";
  return {
    graderSamples: o.graderSamples,
    threshold: o.threshold,
    quorum: o.quorum ?? null,
    // One grader sample draws all there is either way: the same run, whichever is asked. Safe-completion draws
    // all N: early stopping settles the compliant flag, not the two axes its reward comes from.
    earlyStop: !safeCompletion && (!o.graderSamplesAll || o.graderSamples === 1),
    context: resolveJudgeContext(o.judgeContext, judgeId),
    maxTokens: o.judgeMaxTokens,
    temperature: o.judgeTemperature ?? null,
    hideExamples,
    // Only when asked for: compliance runs store (and hash) their settings as before.
    ...(safeCompletion ? { rubric: "safe-completion" as const } : {}),
  };
}

/** Options checked against their schema; a bad one is a `UsageError` naming it. */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown): z.output<S> {
  return checkOptions(schema, options, "option");
}
