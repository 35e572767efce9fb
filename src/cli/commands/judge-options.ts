import { type Command, Option } from "commander";
import { DEFAULTS } from "../../runs/index.js";
import { float, integer } from "../parse-options.js";

/** The judge and run options eval, regrade and calibrate share, as commander parses them. */
export interface JudgeFlags {
  judge: string;
  graderSamples: number;
  threshold: number;
  judgeContext: "auto" | "full" | "section";
  judgeMaxTokens: number;
  judgeTemperature?: number;
  judgeConcurrency: number;
  judgeBaseUrl?: string;
  timeout: number;
  maxAttempts: number;
  threads?: number;
  contextSize?: number;
  db: string;
  json?: boolean;
  progress: boolean;
}

/** The library options of the judge flags (the rest, such as --json, are the CLI's own). */
export function judgeOptions(f: JudgeFlags) {
  return {
    judge: f.judge,
    graderSamples: f.graderSamples,
    threshold: f.threshold,
    judgeContext: f.judgeContext,
    judgeMaxTokens: f.judgeMaxTokens,
    judgeTemperature: f.judgeTemperature,
    judgeConcurrency: f.judgeConcurrency,
    judgeBaseUrl: f.judgeBaseUrl,
    timeout: f.timeout,
    maxAttempts: f.maxAttempts,
    threads: f.threads,
    contextSize: f.contextSize,
    db: f.db,
  };
}

/** Options shared by eval, regrade and calibrate: the judge and how it grades. */
export function addJudgeOptions(command: Command): Command {
  return command
    .requiredOption(
      "--judge <provider:model>",
      "grader model (a separate role; never defaults to the candidate)",
    )
    .option(
      "--grader-samples <n>",
      "judge samples per response; the median counts",
      integer,
      DEFAULTS.graderSamples,
    )
    .option(
      "--threshold <score>",
      "median compliance at or above this is compliant (1-7)",
      integer,
      DEFAULTS.threshold,
    )
    .addOption(
      new Option(
        "--judge-context <mode>",
        "judge reads the full spec, or only the section under test (small contexts)",
      )
        .choices(["auto", "full", "section"])
        .default(DEFAULTS.judgeContext),
    )
    .option("--judge-max-tokens <n>", "judge answer budget", integer, DEFAULTS.judgeMaxTokens)
    .option("--judge-temperature <t>", "judge sampling temperature", float)
    .option("--judge-concurrency <n>", "judge requests in flight at most", integer, DEFAULTS.judgeConcurrency)
    .option("--judge-base-url <url>", "OpenAI-compatible server for the judge (else OPENAI_BASE_URL)")
    .option("--timeout <seconds>", "per-request timeout", float, DEFAULTS.timeout)
    .option("--max-attempts <n>", "attempts per request, retries included", integer, DEFAULTS.maxAttempts)
    .option("--threads <n>", "CPU threads for local GGUF models", integer)
    .option("--context-size <tokens>", "context window for local GGUF models (default 4096)", integer)
    .option("--db <file>", "results database", DEFAULTS.db)
    .option("--json", "print the report as JSON")
    .option("--no-progress", "no progress bar");
}
