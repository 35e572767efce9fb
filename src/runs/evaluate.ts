import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { JudgingSettings } from "../judge/index.js";
import { loadSpec, type SpecModel } from "../spec/index.js";
import { ResultStore } from "../store/index.js";
import { type EvalConfig, withoutCredentials } from "./config.js";
import { datasetName, selectDataset } from "./dataset.js";
import { estimateSamples } from "./estimate.js";
import { executeRun, startRun } from "./execute.js";
import { evalRunId } from "./identity.js";
import { type EvaluateOptions, EvaluateOptionsSchema, judgingFrom, parseOptions } from "./options.js";
import { pricesFrom } from "./prices.js";
import { modelId, RunProviders } from "./providers.js";
import { type RunSummary, summarize } from "./summary.js";

/**
 * Evaluates a model against the spec: generates a response per sample, grades it with the judge, stores
 * everything, and returns the run's summary — the same run as `modelspec eval` with the same inputs (same run
 * id), so a script and the CLI resume each other's runs. An aborted `signal` stops it cleanly: the summary says
 * `interrupted`, and calling again resumes. Never writes to stdout, never exits the process.
 *
 * @example
 * const summary = await evaluate({
 *   spec: "../shared/model-spec/2025-12-18",
 *   model: "openai:gpt-4.1-mini",
 *   judge: "openai:gpt-5",
 *   top: ["stay_in_bounds"],
 *   limit: 50,
 * });
 * console.log(summary.overall.rate, summary.overall.ci95);
 */
export async function evaluate(options: EvaluateOptions): Promise<RunSummary> {
  const o = parseOptions(EvaluateOptionsSchema, options);
  const spec = typeof o.spec === "string" ? loadSpec(o.spec) : o.spec;
  const samples = selectDataset(spec, o);
  const prices = pricesFrom(o.prices);
  const model = modelId(o.model);
  const judge = modelId(o.judge);
  if (model === judge) o.onWarning?.("the judge is the candidate model (self-grading)");
  const judging: JudgingSettings = judgingFrom(o, judge, false);
  const config: EvalConfig = {
    kind: "eval",
    specSource: specSource(o.spec, spec),
    dataset: datasetName(o.dataset),
    filters: { section: o.section, top: o.top, authority: o.authority, tag: o.tag },
    limit: o.limit ?? null,
    seed: o.seed ?? null,
    epochs: o.epochs,
    generation: { maxTokens: o.maxTokens, temperature: o.temperature ?? null },
    judging,
    baseUrl: withoutCredentials(o.baseUrl),
    judgeBaseUrl: withoutCredentials(o.judgeBaseUrl),
    systemPrompt: o.systemPrompt ?? null,
    developerPrompt: o.developerPrompt ?? null,
  };
  const runId = evalRunId({
    specHash: spec.source.contentHash,
    model,
    judge,
    config,
    sampleIds: samples.map((s) => s.id),
  });
  // For the start line (the first progress call): what the whole run costs, counted as `estimateRun` counts.
  const estimate = o.onProgress
    ? await estimateSamples({
        spec,
        items: samples.map((sample) => ({ sample })),
        epochs: o.epochs,
        candidate: { model, maxTokens: o.maxTokens },
        judge,
        judging,
        prices,
      })
    : undefined;
  const providers = new RunProviders();
  try {
    const { answerer: candidate, judge: grader } = await providers.answererAndJudge(o.model, o.baseUrl, o);
    const store = ResultStore.open(o.db);
    try {
      const started = startRun(store, {
        id: runId,
        specVersion: spec.source.version,
        specHash: spec.source.contentHash,
        dataset: config.dataset,
        model,
        judge,
        parentRunId: null,
        params: config,
        label: o.label,
      });
      // Always (INSERT OR IGNORE): a run killed while its samples were being added gets the rest now.
      store.addSamples(runId, samples, o.epochs);
      // From here the runner streams the samples from the database: let the parsed dataset go (at 100 000
      // samples it is ~50 MB that would otherwise stay live, and raise the heap's ceiling, for the whole run).
      samples.length = 0;
      await executeRun({
        store,
        runId,
        started,
        spec,
        candidate: {
          provider: candidate,
          concurrency: o.concurrency,
          generation: {
            maxTokens: o.maxTokens,
            temperature: o.temperature,
            seed: undefined,
            server: config.baseUrl,
          },
        },
        judge: grader,
        options: o,
        estimate,
      });
      return summarize(store, runId, spec, prices);
    } finally {
      store.close();
    }
  } finally {
    await providers.close();
  }
}

/** Where the spec was read from, so later commands (report, regrade) can find it again. */
function specSource(given: string | SpecModel, spec: SpecModel): string | null {
  if (typeof given !== "string") return spec.source.version;
  return existsSync(given) ? resolve(given) : given;
}
