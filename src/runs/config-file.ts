/**
 * The config file of `modelspec eval` (`modelspec.yaml`): the eval flags written down, keyed by their long names
 * in kebab-case. One zod schema checks it and generates the JSON Schema editors use
 * (schema/modelspec.schema.json); a mistake is refused naming the file, the line and the key.
 */
import { readFileSync } from "node:fs";
import { isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { RUBRICS } from "../judge/index.js";
import { appPromptText } from "./app-prompts.js";
import type { ErrorBudget, GateOptions } from "./gate.js";
import type { EvaluateOptions } from "./options.js";
import { RANGES, rangedNumber } from "./ranges.js";

/** The file `modelspec eval` reads from the working folder when no `--config` is given. */
export const CONFIG_FILE_NAME = "modelspec.yaml";

const text = (description: string) => z.string({ error: "expected text" }).min(1).describe(description);
const oneOrMore = (description: string) =>
  z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
      error: "expected a name or a list of names",
    })
    .describe(description);
/** 0% to 100%. */
const PERCENTAGE = /^(100(\.0+)?|\d{1,2}(\.\d+)?)%$/;
const percentage = z.string().regex(PERCENTAGE);
const RATE = 'expected a rate from 0 to 1 or a percentage such as "80%"';
/** A rate in the range of --fail-under, whose message also names the percentage it could be written as. */
const rate = z
  .number({ error: RATE })
  .min(RANGES.failUnder.min, { error: RATE })
  .max(RANGES.failUnder.max, { error: RATE });

/** The keys and what they take: the same values, ranges and defaults as the flags of `modelspec eval`. */
const ConfigFileSchema = z
  .strictObject({
    spec: text("spec folder or fetched release version (default: the latest release)"),
    model: oneOrMore("candidate: openai:…, anthropic:…, local:<file.gguf>, replay:<file.jsonl>"),
    judge: text("grader model (a separate role; never defaults to the candidate)"),
    dataset: text("eval-prompts (default), examples, or a JSONL file (Model Spec Evals shape)"),
    section: oneOrMore("only samples of these sections"),
    top: oneOrMore("only samples under these top-level sections"),
    authority: oneOrMore("only sections at these authority levels"),
    tag: oneOrMore("only sections with these tags"),
    limit: rangedNumber("limit").describe("at most n samples"),
    seed: rangedNumber("seed").describe("random subset with this seed (with limit)"),
    epochs: rangedNumber("epochs").describe("answer each sample n times"),
    "max-tokens": rangedNumber("maxTokens").describe("candidate answer budget"),
    temperature: rangedNumber("temperature").describe("candidate sampling temperature"),
    concurrency: rangedNumber("concurrency").describe("candidate requests in flight at most"),
    "base-url": text("the candidate's server (OpenAI-compatible, or Anthropic's)"),
    "system-prompt": text(
      "your app's system prompt: a file (its content) or the text itself; a system message first in every sample",
    ),
    "developer-prompt": text(
      "your app's developer prompt: a file (its content) or the text itself; a developer message after the system prompt",
    ),
    "fail-under": z
      .union([rate, percentage], { error: RATE })
      .describe("exit 1 when overall compliance is below this (0-1 or a percentage)"),
    "max-errors": z
      .union([z.number().int().min(0), z.number().min(0).max(1), percentage], {
        error: 'expected a number of samples (e.g. 3) or a rate (e.g. 0.02 or "2%")',
      })
      .describe("exit 1 when more samples than this end as errors or ungraded (a count, or a rate)"),
    "grader-samples": rangedNumber("graderSamples").describe("judge samples per response; the median counts"),
    threshold: rangedNumber("threshold").describe("median compliance at or above this is compliant"),
    quorum: rangedNumber("quorum").describe("usable grader samples a verdict needs (default: a majority)"),
    "judge-context": z
      .enum(["auto", "full", "section"], { error: "expected auto, full or section" })
      .describe("judge reads the full spec, or only the section under test (small contexts)"),
    "judge-max-tokens": rangedNumber("judgeMaxTokens").describe("judge answer budget"),
    "judge-temperature": rangedNumber("judgeTemperature").describe("judge sampling temperature"),
    "judge-concurrency": rangedNumber("judgeConcurrency").describe("judge requests in flight at most"),
    "judge-base-url": text("the judge's server (OpenAI-compatible, or Anthropic's)"),
    timeout: rangedNumber("timeout").describe("per-request timeout in seconds"),
    "max-attempts": rangedNumber("maxAttempts").describe("attempts per request, retries included"),
    threads: rangedNumber("threads").describe("CPU threads for local GGUF models"),
    "context-size": rangedNumber("contextSize").describe("context window for local GGUF models"),
    "max-response-bytes": rangedNumber("maxResponseBytes").describe("bytes one answer may have"),
    db: text("results database (default .modelspec/results.db)"),
    "grader-samples-all": z
      .boolean({ error: "expected true or false" })
      .describe("draw every grader sample (default: stop once the verdict can no longer change)"),
    prices: text("prices for cost estimates: a YAML or JSON file (USD per million tokens)"),
    rubric: z
      .enum(RUBRICS, { error: "expected compliance or safe-completion" })
      .describe(
        "compliance (default), or safe-completion: also severity, helpfulness and a reward per sample",
      ),
    label: z
      .string()
      .max(200)
      .describe("a name for the run in runs, report and the viewer; not part of its id"),
  })
  .partial()
  .meta({
    title: "modelspec.yaml",
    description:
      "Options of `modelspec eval`, keyed by the flags' long names; a flag on the command line overrides the file.",
  });
type ConfigFileValues = z.output<typeof ConfigFileSchema>;

/** What a config file sets, as the library takes it. */
export interface ConfigFile {
  /** The file read, as given. */
  path: string;
  /** The candidate models (`model`: one or a list); empty when the file names none. */
  models: string[];
  /** The options of `evaluate` the file sets, `model` aside; system and developer prompts as their text. */
  options: Partial<Omit<EvaluateOptions, "model">>;
  /** The CI gates it sets (`fail-under`, `max-errors`). */
  gates: GateOptions;
}

/**
 * Reads and checks a config file (YAML, keys as in `modelspec.yaml`): what it sets, as `evaluate` options and
 * gates. `system-prompt` and `developer-prompt` are read as the flags are: an existing file's content (relative
 * to the working folder), else the text itself. Any mistake is a `UsageError` naming the file, the line and the
 * key (`modelspec.yaml:4: unknown key 'modle'`).
 *
 * @example
 * const config = readConfigFile("modelspec.yaml");
 * for (const model of config.models) {
 *   const summary = await evaluate({ judge: "openai:gpt-5", ...config.options, model });
 *   console.log(model, checkGates(summary, config.gates).length === 0 ? "pass" : "fail");
 * }
 */
export function readConfigFile(path: string): ConfigFile {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new UsageError(
      `${path}: ${code === "ENOENT" ? "no such config file" : `cannot read config file (${code})`}`,
    );
  }
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
  const syntax = doc.errors[0];
  if (syntax) throw new UsageError(`${path}:${lineOf(syntax.pos[0])}: ${syntax.message}`);
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new UsageError(
      `${path}:${lineOf(doc.contents.range?.[0])}: expected keys with values (key: value)`,
    );
  }
  const given: unknown = doc.toJS() ?? {};
  const parsed = ConfigFileSchema.safeParse(given);
  /** Where a key (or an item of its list) is written. */
  const lineOfPath = (keys: readonly PropertyKey[], valueWanted: boolean): number => {
    const key = String(keys[0]);
    const pair = isMap(doc.contents)
      ? doc.contents.items.find((p) => isScalar(p.key) && String(p.key.value) === key)
      : undefined;
    const value = valueWanted ? (doc.getIn(keys as unknown[], true) as Node | undefined) : undefined;
    return lineOf(value?.range?.[0] ?? (pair?.key as Node | undefined)?.range?.[0]);
  };
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === "unrecognized_keys") {
        const key = issue.keys[0] ?? "";
        return { line: lineOfPath([key], false), message: unknownKey(key) };
      }
      const key = String(issue.path[0] ?? "");
      const got = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k], given);
      const shown = typeof got === "number" ? ` (got ${got})` : "";
      return { line: lineOfPath(deepestPath(issue), true), message: `${key}: ${issue.message}${shown}` };
    });
    // The first mistake in the file, as a reader meets it.
    const first = problems.sort((a, b) => a.line - b.line)[0];
    throw new UsageError(`${path}:${first?.line ?? 1}: ${first?.message ?? "invalid"}`);
  }
  const prompt = (key: "system-prompt" | "developer-prompt") => {
    const value = parsed.data[key];
    return value === undefined
      ? undefined
      : appPromptText(`${path}:${lineOfPath([key], true)}: ${key}`, value);
  };
  return {
    path,
    ...fromValues(parsed.data, {
      systemPrompt: prompt("system-prompt"),
      developerPrompt: prompt("developer-prompt"),
    }),
  };
}

/**
 * Where an issue is: for a value none of a union's forms take (a list with one bad item), the deepest place a
 * form found fault with, so the line is the bad item's.
 */
function deepestPath(issue: z.core.$ZodIssue): PropertyKey[] {
  if (issue.code !== "invalid_union") return issue.path;
  const inner = issue.errors.flat().map((i) => i.path);
  const deepest = inner.reduce((a, b) => (b.length > a.length ? b : a), []);
  return [...issue.path, ...deepest];
}

const KEYS = new Set(Object.keys(ConfigFileSchema.shape));

function unknownKey(key: string): string {
  // failUnder, fail_under, --fail-under: the flag's name as a key is written `fail-under`.
  const kebab = key
    .replace(/^-+/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/_/g, "-")
    .toLowerCase();
  return kebab !== key && KEYS.has(kebab)
    ? `unknown key '${key}' (did you mean '${kebab}'?)`
    : `unknown key '${key}'`;
}

const list = (value: string | string[] | undefined) =>
  value === undefined ? undefined : typeof value === "string" ? [value] : value;

function rateOf(value: number | string): number {
  return typeof value === "number" ? value : Number(value.slice(0, -1)) / 100;
}

function errorBudget(value: number | string): ErrorBudget {
  if (typeof value === "string") return { rate: Number(value.slice(0, -1)) / 100 };
  return Number.isInteger(value) ? { count: value } : { rate: value };
}

/** The checked values as library options: only the keys the file sets. */
function fromValues(
  v: ConfigFileValues,
  prompts: { systemPrompt: string | undefined; developerPrompt: string | undefined },
): Omit<ConfigFile, "path"> {
  const options: ConfigFile["options"] = {
    spec: v.spec,
    judge: v.judge,
    dataset: v.dataset,
    section: list(v.section),
    top: list(v.top),
    authority: list(v.authority),
    tag: list(v.tag),
    limit: v.limit,
    seed: v.seed,
    epochs: v.epochs,
    maxTokens: v["max-tokens"],
    temperature: v.temperature,
    concurrency: v.concurrency,
    baseUrl: v["base-url"],
    ...prompts,
    graderSamples: v["grader-samples"],
    threshold: v.threshold,
    quorum: v.quorum,
    judgeContext: v["judge-context"],
    judgeMaxTokens: v["judge-max-tokens"],
    judgeTemperature: v["judge-temperature"],
    judgeConcurrency: v["judge-concurrency"],
    judgeBaseUrl: v["judge-base-url"],
    timeout: v.timeout,
    maxAttempts: v["max-attempts"],
    threads: v.threads,
    contextSize: v["context-size"],
    maxResponseBytes: v["max-response-bytes"],
    db: v.db,
    graderSamplesAll: v["grader-samples-all"],
    prices: v.prices,
    label: v.label,
    rubric: v.rubric,
  };
  const gates: GateOptions = {
    failUnder: v["fail-under"] === undefined ? undefined : rateOf(v["fail-under"]),
    maxErrors: v["max-errors"] === undefined ? undefined : errorBudget(v["max-errors"]),
  };
  const set = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)) as T;
  return { models: list(v.model) ?? [], options: set(options), gates: set(gates) };
}

/**
 * The JSON Schema of the config file, generated from the zod schema that checks it: what
 * schema/modelspec.schema.json holds (`npm run schema` writes it again).
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigFileSchema, { io: "input" });
}
