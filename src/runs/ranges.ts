/**
 * Every numeric option's allowed range, in one table: the library's option schemas and the CLI's flag parsers
 * check the same bounds, and a value outside them is refused naming the option and the range (never clamped,
 * never accepted silently). docs/statistics.md lists them.
 */
import { z } from "zod";

export interface NumericRange {
  min: number;
  max: number;
  /** Whole numbers only. */
  integer: boolean;
}

const whole = (min: number, max: number): NumericRange => ({ min, max, integer: true });
const real = (min: number, max: number): NumericRange => ({ min, max, integer: false });

export const RANGES = {
  limit: whole(1, 1_000_000_000),
  seed: whole(0, 4_294_967_295),
  epochs: whole(1, 100),
  maxTokens: whole(1, 1_000_000),
  temperature: real(0, 2),
  concurrency: whole(1, 256),
  graderSamples: whole(1, 25),
  threshold: whole(1, 7),
  /** At most graderSamples (checked with it). */
  quorum: whole(1, 25),
  judgeMaxTokens: whole(1, 1_000_000),
  judgeTemperature: real(0, 2),
  judgeConcurrency: whole(1, 256),
  /** Seconds per request. */
  timeout: real(0.1, 3600),
  maxAttempts: whole(1, 20),
  threads: whole(1, 1024),
  contextSize: whole(256, 1_048_576),
  /** Bytes of one answer (candidate or judge) before it is an error of kind `too_large`. */
  maxResponseBytes: whole(1024, 1_073_741_824),
  /** A rate: 0–1 (the CLI also takes a percentage). */
  failUnder: real(0, 1),
  port: whole(0, 65_535),
  /** Critique-and-revise rounds of the run-time guard (`serve --guard revise`, the runtime's guard.maxRounds). */
  guardRounds: whole(1, 5),
  /** Compliance points a preference pair's chosen response must score above its rejected one (scores are 1–7). */
  minMargin: real(0, 6),
  /** Preference pairs kept per prompt (those with the widest margins). */
  maxPairsPerPrompt: whole(1, 1_000_000),
  /** `generate`: prompts per section (--n). */
  generateCount: whole(1, 1000),
  /** `generate`: prompts asked for per request to the generator. */
  generateBatch: whole(1, 100),
  /** `generate`: requests to the generator per section, those that make up for rejected and duplicate prompts included. */
  generateRequests: whole(1, 1000),
  /** `generate`: word-shingle Jaccard similarity at or above which a prompt is a near-duplicate. */
  similarity: real(0.05, 1),
  /** `generate --adaptive`: rounds of harder variants. */
  adaptiveRounds: whole(1, 20),
  /** Generator answers per request in `generate` and `data sft` (the first and the re-asks after unusable ones). */
  maxAnswers: whole(1, 10),
} as const satisfies Record<string, NumericRange>;

export type RangedOption = keyof typeof RANGES;

/**
 * 1,000,000 for 1000000. (toLocaleString would load Intl's locale data, ~25 ms of every CLI start for --help.)
 *
 * @example
 * thousands(1048576); // "1,048,576"
 */
export function thousands(x: number): string {
  const [whole, fraction] = String(x).split(".");
  return `${(whole ?? "").replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction === undefined ? "" : `.${fraction}`}`;
}

/**
 * "a whole number from 1 to 25", "a number from 0 to 2".
 *
 * @example
 * describeRange(RANGES.graderSamples); // "a whole number from 1 to 25"
 */
export function describeRange(range: NumericRange): string {
  const n = thousands;
  return `${range.integer ? "a whole number" : "a number"} from ${n(range.min)} to ${n(range.max)}`;
}

/** Whether a value is inside an option's range. */
export function inRange(range: NumericRange, value: number): boolean {
  return (
    Number.isFinite(value) &&
    value >= range.min &&
    value <= range.max &&
    (!range.integer || Number.isInteger(value))
  );
}

/** A zod schema for a ranged option, whose message names the range. */
export function rangedNumber(option: RangedOption): z.ZodNumber {
  const range: NumericRange = RANGES[option];
  const message = `expected ${describeRange(range)}`;
  const base = range.integer
    ? z.number({ error: message }).int({ error: message })
    : z.number({ error: message });
  return base.min(range.min, { error: message }).max(range.max, { error: message });
}
