/** The shape of a run's cost estimate (made by `estimateRun`, src/runs/estimate.ts). */
import type { JudgeContext } from "../judge/index.js";
import type { Counting } from "./token-count.js";

/** From the low end of the estimate to its high end. */
export interface Range {
  low: number;
  high: number;
}

/** One role's share of a run: the candidate, or the judge. */
export interface RoleEstimate {
  model: string;
  /** How its input was counted: a tiktoken encoding, or `chars/4` where no tokenizer fits the model family. */
  counting: Counting;
  calls: Range;
  inputTokens: Range;
  /** Assumed, not counted: typical answers at the low end, every answer at its cap at the high end. */
  outputTokens: Range;
  /** US dollars from the price table; null when the model's price is unknown. */
  costUsd: Range | null;
}

/** A run's estimate: what `modelspec eval --dry-run --json` prints, and what a run's start line sums up. */
export interface RunEstimate {
  samples: number;
  epochs: number;
  /** Samples whose prompts were counted: all, or for a large run an even spread of them, scaled up. */
  counted: number;
  /** The judge's grader samples per response (at most, with early stopping). */
  graderSamples: number;
  earlyStop: boolean;
  judgeContext: JudgeContext;
  /** Null in a calibration: the responses are given. */
  candidate: RoleEstimate | null;
  judge: RoleEstimate;
  /** Both roles; null when a price is unknown. */
  costUsd: Range | null;
  /** Output tokens per answer assumed at the low end (the cap when that is lower). */
  typicalOutput: { candidate: number; judge: number };
  /** Where the prices come from: `built-in`, `given` (a table) or the file. */
  prices: string;
}
