import { type Command, Option } from "commander";
import { RUBRICS, type Rubric } from "../../judge/index.js";
import { DEFAULTS } from "../../runs/index.js";
import { numberOption } from "../parse-options.js";

/** The judge and run options eval, regrade and calibrate share, as commander parses them. */
export interface JudgeFlags {
  judge: string;
  graderSamples: number;
  threshold: number;
  quorum?: number;
  graderSamplesAll?: boolean;
  judgeContext: "auto" | "full" | "section";
  judgeMaxTokens: number;
  judgeTemperature?: number;
  judgeConcurrency: number;
  judgeBaseUrl?: string;
  timeout: number;
  maxAttempts: number;
  threads?: number;
  contextSize?: number;
  maxResponseBytes: number;
  db: string;
  prices?: string;
  label?: string;
  json?: boolean;
  progress: boolean;
}

/** The library options of the judge flags (the rest, such as --json, are the CLI's own). */
export function judgeOptions(f: Omit<JudgeFlags, "json" | "progress">) {
  return {
    judge: f.judge,
    graderSamples: f.graderSamples,
    threshold: f.threshold,
    quorum: f.quorum,
    graderSamplesAll: f.graderSamplesAll ?? false,
    judgeContext: f.judgeContext,
    judgeMaxTokens: f.judgeMaxTokens,
    judgeTemperature: f.judgeTemperature,
    judgeConcurrency: f.judgeConcurrency,
    judgeBaseUrl: f.judgeBaseUrl,
    timeout: f.timeout,
    maxAttempts: f.maxAttempts,
    threads: f.threads,
    contextSize: f.contextSize,
    maxResponseBytes: f.maxResponseBytes,
    db: f.db,
    prices: f.prices,
    label: f.label,
  };
}

/**
 * Options shared by eval, regrade and calibrate: the judge and how it grades. `judgeRequired: false` for eval,
 * whose config file may name the judge (it checks for one itself). `forRuns: false` (serve --grader, which makes
 * no run) leaves out what only a run has: --prices, --label, --json, --no-progress.
 */
export function addJudgeOptions(command: Command, judgeRequired = true, forRuns = true): Command {
  const judge = new Option(
    "--judge <provider:model>",
    "grader model (a separate role; never defaults to the candidate)",
  ).makeOptionMandatory(judgeRequired);
  const judging = command
    .addOption(judge)
    .addOption(
      numberOption(
        "--grader-samples <n>",
        "judge samples per response; the median counts",
        "graderSamples",
        DEFAULTS.graderSamples,
      ),
    )
    .addOption(
      numberOption(
        "--threshold <score>",
        "median compliance at or above this is compliant",
        "threshold",
        DEFAULTS.threshold,
      ),
    )
    .addOption(
      numberOption(
        "--quorum <n>",
        "usable grader samples a verdict needs, else the sample is ungraded (default: a majority)",
        "quorum",
      ),
    )
    .option(
      "--grader-samples-all",
      "draw every grader sample (default: stop once the verdict can no longer change, e.g. 2 agreeing of 3)",
    )
    .addOption(
      new Option(
        "--judge-context <mode>",
        "judge reads the full spec, or only the section under test (small contexts)",
      )
        .choices(["auto", "full", "section"])
        .default(DEFAULTS.judgeContext),
    )
    .addOption(
      numberOption(
        "--judge-max-tokens <n>",
        "judge answer budget",
        "judgeMaxTokens",
        DEFAULTS.judgeMaxTokens,
      ),
    )
    .addOption(numberOption("--judge-temperature <t>", "judge sampling temperature", "judgeTemperature"))
    .addOption(
      numberOption(
        "--judge-concurrency <n>",
        "judge requests in flight at most",
        "judgeConcurrency",
        DEFAULTS.judgeConcurrency,
      ),
    )
    .option(
      "--judge-base-url <url>",
      "the judge's server: OpenAI-compatible (else OPENAI_BASE_URL), or Anthropic's (else ANTHROPIC_BASE_URL)",
    )
    .addOption(numberOption("--timeout <seconds>", "per-request timeout", "timeout", DEFAULTS.timeout))
    .addOption(
      numberOption(
        "--max-attempts <n>",
        "attempts per request, retries included",
        "maxAttempts",
        DEFAULTS.maxAttempts,
      ),
    )
    .addOption(numberOption("--threads <n>", "CPU threads for local GGUF models", "threads"))
    .addOption(
      numberOption(
        "--context-size <tokens>",
        "context window for local GGUF models (default 4096)",
        "contextSize",
      ),
    )
    .addOption(
      numberOption(
        "--max-response-bytes <n>",
        "bytes one answer (candidate or judge) may have; a longer one is an error of kind too_large",
        "maxResponseBytes",
        DEFAULTS.maxResponseBytes,
      ),
    )
    .option("--db <file>", "results database", DEFAULTS.db);
  if (!forRuns) return judging;
  return judging
    .option(
      "--prices <file>",
      'prices for cost estimates, YAML or JSON: {"openai:gpt-5": {input: 1.25, output: 10}} (USD per million tokens)',
    )
    .option(
      "--label <text>",
      "a name for the run in runs, report and the viewer; not part of its id (again on a resumed run: replaces it)",
    )
    .option("--json", "print the report as JSON")
    .option("--no-progress", "no progress bar");
}

/** `--rubric` (eval, regrade, serve --grader): how the judge grades, compliance alone or with the safe-completion axes. */
export function addRubricOption(command: Command): Command {
  return command.addOption(
    new Option(
      "--rubric <mode>",
      "compliance, or safe-completion: also severity and helpfulness, and a reward per sample (docs/training-data.md)",
    )
      .choices([...RUBRICS])
      .default("compliance" satisfies Rubric),
  );
}
