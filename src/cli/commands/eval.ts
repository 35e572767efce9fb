import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import {
  evalPromptSamples,
  exampleSamples,
  readJsonlDataset,
  type Sample,
  selectSamples,
} from "../../dataset/index.js";
import { UsageError } from "../../errors.js";
import type { JudgeContext } from "../../judge/judge-prompt.js";
import { createProvider, type Provider } from "../../providers/index.js";
import { renderSummary } from "../../report/render.js";
import { summarizeRun } from "../../report/summary.js";
import {
  AdaptiveLimiter,
  attachProgressBar,
  DEFAULT_POLICY,
  type GenerationSettings,
  type JudgingSettings,
  requestKey,
  runEval,
} from "../../runner/index.js";
import { LATEST_RELEASE, loadSpec, type SpecModel } from "../../spec/index.js";
import { ResultStore, type RunRecord } from "../../store/index.js";
import { TOOL_VERSION } from "../../version.js";
import { examples, printJson } from "../output.js";
import { collect, float, integer, rate } from "../parse-options.js";

export const DEFAULT_DB = join(".modelspec", "results.db");

export interface EvalOptions {
  spec: string;
  model: string;
  judge: string;
  dataset: string;
  section: string[];
  top: string[];
  authority: string[];
  tag: string[];
  limit?: number;
  seed?: number;
  epochs: number;
  graderSamples: number;
  threshold: number;
  judgeContext: "auto" | JudgeContext;
  maxTokens: number;
  judgeMaxTokens: number;
  temperature?: number;
  judgeTemperature?: number;
  concurrency: number;
  judgeConcurrency: number;
  timeout: number;
  maxAttempts: number;
  baseUrl?: string;
  judgeBaseUrl?: string;
  threads?: number;
  contextSize?: number;
  db: string;
  json?: boolean;
  progress: boolean;
  failUnder?: number;
}

/** Options shared by eval, regrade and calibrate: the judge and how it grades. */
export function addJudgeOptions(command: Command): Command {
  return command
    .requiredOption(
      "--judge <provider:model>",
      "grader model (a separate role; never defaults to the candidate)",
    )
    .option("--grader-samples <n>", "judge samples per response; the median counts", integer, 3)
    .option("--threshold <score>", "median compliance at or above this is compliant (1-7)", integer, 6)
    .addOption(
      new Option(
        "--judge-context <mode>",
        "judge reads the full spec, or only the section under test (small contexts)",
      )
        .choices(["auto", "full", "section"])
        .default("auto"),
    )
    .option("--judge-max-tokens <n>", "judge answer budget", integer, 1024)
    .option("--judge-temperature <t>", "judge sampling temperature", float)
    .option("--judge-concurrency <n>", "judge requests in flight at most", integer, 8)
    .option("--judge-base-url <url>", "OpenAI-compatible server for the judge (else OPENAI_BASE_URL)")
    .option("--timeout <seconds>", "per-request timeout", float, 120)
    .option(
      "--max-attempts <n>",
      "attempts per request, retries included",
      integer,
      DEFAULT_POLICY.maxAttempts,
    )
    .option("--threads <n>", "CPU threads for local GGUF models", integer)
    .option("--context-size <tokens>", "context window for local GGUF models (default 4096)", integer)
    .option("--db <file>", "results database", DEFAULT_DB)
    .option("--json", "print the report as JSON")
    .option("--no-progress", "no progress bar");
}

export function registerEvalCommand(program: Command): void {
  const command = program
    .command("eval")
    .description(
      "Evaluate a model against the spec: generate responses, grade them with a judge, report compliance",
    )
    .addOption(new Option("--spec <dir|version>", "spec folder or fetched release").default(LATEST_RELEASE))
    .requiredOption(
      "--model <provider:model>",
      "candidate: openai:…, anthropic:…, local:<file.gguf>, replay:<file.jsonl>",
    )
    .option(
      "--dataset <name|file>",
      "eval-prompts, examples, or a JSONL file (Model Spec Evals shape)",
      "eval-prompts",
    )
    .option("--section <id>", "only samples of this section (repeatable)", collect, [])
    .option("--top <id>", "only samples under this top-level section (repeatable)", collect, [])
    .option("--authority <level>", "only sections at this authority (repeatable)", collect, [])
    .option("--tag <tag>", "only sections with this tag (repeatable)", collect, [])
    .option("--limit <n>", "at most n samples", integer)
    .option("--seed <n>", "random subset with this seed (with --limit)", integer)
    .option("--epochs <n>", "answer each sample n times", integer, 1)
    .option("--max-tokens <n>", "candidate answer budget", integer, 1024)
    .option("--temperature <t>", "candidate sampling temperature", float)
    .option("--concurrency <n>", "candidate requests in flight at most", integer, 8)
    .option("--base-url <url>", "OpenAI-compatible server for the candidate (else OPENAI_BASE_URL)")
    .option(
      "--fail-under <rate>",
      "exit 1 when overall compliance is below this (0-1 or a percentage)",
      rate,
    );
  addJudgeOptions(command).addHelpText(
    "after",
    examples(
      "modelspec eval --spec 2025-12-18 --model openai:gpt-4.1-mini --judge openai:gpt-5",
      "modelspec eval --model local:./qwen.gguf --judge local:./judge.gguf --judge-context section --limit 20",
      "modelspec eval --model openai:my-model --base-url http://localhost:8000/v1 --judge openai:gpt-5 --fail-under 0.8",
    ),
  );
  command.action(async (opts: EvalOptions) => {
    const spec = loadSpec(opts.spec);
    const samples = selectDataset(spec, opts);
    if (samples.length === 0) throw new UsageError("no samples match the filters");
    const code = await evaluate(spec, samples, opts);
    process.exitCode = code;
  });
}

function selectDataset(spec: SpecModel, opts: EvalOptions): Sample[] {
  const all =
    opts.dataset === "eval-prompts"
      ? evalPromptSamples(spec)
      : opts.dataset === "examples"
        ? exampleSamples(spec)
        : opts.dataset.endsWith(".jsonl")
          ? readJsonlDataset(opts.dataset, spec)
          : (() => {
              throw new UsageError(
                `--dataset ${opts.dataset}: expected eval-prompts, examples or a .jsonl file`,
              );
            })();
  for (const id of opts.section) {
    if (!spec.sections.some((s) => s.id === id))
      throw new UsageError(`--section ${id}: no such section in the spec`);
  }
  return selectSamples(
    all,
    {
      sections: opts.section,
      topLevel: opts.top,
      authority: opts.authority,
      tags: opts.tag,
      limit: opts.limit,
      seed: opts.seed,
    },
    spec,
  );
}

/** A base URL as recorded with the run: credentials written into it (user:password@) never reach the disk. */
export function withoutCredentials(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}

/** Where the spec was read from, so later commands (report, regrade) can find it again. */
function specSource(spec: string): string {
  return existsSync(spec) ? resolve(spec) : spec;
}

/** `auto` reads the full spec unless the judge is a local model, whose context is small. */
export function judgeContextFor(mode: EvalOptions["judgeContext"], judge: string): JudgeContext {
  if (mode !== "auto") return mode;
  return judge.startsWith("local:") ? "section" : "full";
}

/** Runs (or resumes) the eval. Takes ownership of `samples`: the array is emptied once they are stored. */
async function evaluate(spec: SpecModel, samples: Sample[], opts: EvalOptions): Promise<number> {
  if (opts.model === opts.judge) {
    process.stderr.write("modelspec: warning: the judge is the candidate model (self-grading)\n");
  }
  const judgeContext = judgeContextFor(opts.judgeContext, opts.judge);
  const params = {
    dataset: opts.dataset,
    filters: { section: opts.section, top: opts.top, authority: opts.authority, tag: opts.tag },
    limit: opts.limit ?? null,
    seed: opts.seed ?? null,
    epochs: opts.epochs,
    generation: { maxTokens: opts.maxTokens, temperature: opts.temperature ?? null },
    judging: {
      graderSamples: opts.graderSamples,
      threshold: opts.threshold,
      context: judgeContext,
      maxTokens: opts.judgeMaxTokens,
      temperature: opts.judgeTemperature ?? null,
    },
    baseUrl: withoutCredentials(opts.baseUrl),
    judgeBaseUrl: withoutCredentials(opts.judgeBaseUrl),
  };
  // The same command on the same spec and samples is the same run: running it again resumes it.
  const runId = `run-${requestKey({ spec: spec.source.contentHash, model: opts.model, judge: opts.judge, params, samples: samples.map((s) => s.id) }).slice(0, 12)}`;
  const candidate = await createProvider(opts.model, {
    baseURL: opts.baseUrl,
    threads: opts.threads,
    contextSize: opts.contextSize,
  });
  const judge =
    opts.judge === opts.model && !opts.judgeBaseUrl
      ? candidate
      : await createProvider(opts.judge, {
          // The candidate's --base-url is not the judge's: a judge on another server needs --judge-base-url.
          baseURL: opts.judgeBaseUrl,
          threads: opts.threads,
          contextSize: opts.contextSize,
        });
  const store = ResultStore.open(opts.db);
  try {
    const { resumed } = store.startRun({
      id: runId,
      toolVersion: TOOL_VERSION,
      specVersion: spec.source.version,
      specHash: spec.source.contentHash,
      dataset: opts.dataset,
      model: opts.model,
      judge: opts.judge,
      parentRunId: null,
      params: { ...params, specSource: specSource(opts.spec) },
    });
    // Always (INSERT OR IGNORE): a run killed while its samples were being added gets the rest now.
    store.addSamples(runId, samples, opts.epochs);
    // From here the runner streams the samples from the database: let the parsed dataset go (at 100 000
    // samples it is ~50 MB that would otherwise stay live, and raise the heap's ceiling, for the whole run).
    samples.length = 0;
    const generation = { maxTokens: opts.maxTokens, temperature: opts.temperature, seed: undefined };
    return await execute(
      store,
      runId,
      spec,
      { provider: candidate, concurrency: opts.concurrency, generation },
      judge,
      { ...opts, judging: judgingFrom(opts, judgeContext) },
      resumed,
    );
  } finally {
    store.close();
    await candidate.close?.();
    if (judge !== candidate) await judge.close?.();
  }
}

export interface ExecuteSettings {
  judging: JudgingSettings;
  judgeConcurrency: number;
  timeout: number;
  maxAttempts: number;
  json?: boolean;
  progress: boolean;
  failUnder?: number;
}

/** Judging settings from the shared judge options. */
export function judgingFrom(
  opts: EvalOptions | Omit<EvalOptions, "model" | "dataset">,
  context: JudgeContext,
): JudgingSettings {
  return {
    graderSamples: opts.graderSamples,
    threshold: opts.threshold,
    context,
    maxTokens: opts.judgeMaxTokens,
    temperature: opts.judgeTemperature,
  };
}

type CandidateSetup = { provider: Provider; concurrency: number; generation: GenerationSettings } | null;

/**
 * Generates and grades what a run still lacks, with a progress bar and a clean stop on Ctrl-C (used by eval,
 * regrade and calibrate). Returns whether the user stopped it.
 */
export async function runPending(
  store: ResultStore,
  runId: string,
  spec: SpecModel,
  candidate: CandidateSetup,
  judge: Provider,
  settings: Omit<ExecuteSettings, "json" | "failUnder"> & { quiet?: boolean },
  resumed: boolean,
): Promise<{ stopped: boolean }> {
  const counts = store.countSamples(runId);
  // stderr, so --json output on stdout stays one document.
  process.stderr.write(
    `${resumed ? "Resuming" : "Starting"} ${runId}: ${counts.total} samples${counts.done ? `, ${counts.done} already done` : ""}\n`,
  );
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      "\nmodelspec: stopping (Ctrl-C again to quit at once); finished samples are saved\n",
    );
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const progress = attachProgressBar(counts.total, counts.done, settings.progress && !settings.quiet);
  try {
    await runEval({
      store,
      runId,
      spec,
      candidate: candidate
        ? { provider: candidate.provider, limiter: new AdaptiveLimiter(candidate.concurrency) }
        : null,
      judge: { provider: judge, limiter: new AdaptiveLimiter(settings.judgeConcurrency) },
      generation: candidate?.generation ?? { maxTokens: 0, temperature: undefined, seed: undefined },
      judging: settings.judging,
      policy: { ...DEFAULT_POLICY, maxAttempts: settings.maxAttempts, timeoutMs: settings.timeout * 1000 },
      signal: controller.signal,
      onProgress: progress.update,
    });
  } finally {
    progress.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return { stopped: controller.signal.aborted };
}

/** Runs the pending part of a run, prints its report and returns the exit code (used by eval and regrade). */
export async function execute(
  store: ResultStore,
  runId: string,
  spec: SpecModel,
  candidate: CandidateSetup,
  judge: Provider,
  settings: ExecuteSettings,
  resumed: boolean,
): Promise<number> {
  const { stopped } = await runPending(
    store,
    runId,
    spec,
    candidate,
    judge,
    { ...settings, quiet: settings.json },
    resumed,
  );
  const summary = summarizeRun(store, runId, spec);
  const status: RunRecord["status"] = summary.pending > 0 || stopped ? "interrupted" : "completed";
  store.finishRun(runId, status);
  const final = { ...summary, status };
  if (settings.json) printJson(final);
  else {
    console.log(renderSummary(final));
    if (status === "interrupted")
      console.log(`\nInterrupted: run the same command again to resume ${runId}.`);
  }
  if (stopped) return 130;
  if (settings.failUnder !== undefined && (final.overall.rate ?? 0) < settings.failUnder) {
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    process.stderr.write(
      `modelspec: compliance ${pct(final.overall.rate ?? 0)} is under --fail-under ${pct(settings.failUnder)}\n`,
    );
    return 1;
  }
  return 0;
}
