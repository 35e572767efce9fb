import { UsageError } from "../errors.js";
import { type JudgingSettings, resolveJudgeContext } from "../judge/index.js";
import { ResultStore } from "../store/index.js";
import { decodeRun, type RegradeConfig, withoutCredentials } from "./config.js";
import { executeRun, startRun } from "./execute.js";
import { regradeRunId } from "./identity.js";
import { parseOptions, type RegradeOptions, RegradeOptionsSchema } from "./options.js";
import { modelId, RunProviders } from "./providers.js";
import { runSpecSource, specOfRun } from "./run-spec.js";
import { type RunSummary, summarize } from "./summary.js";

/**
 * Grades a run's stored responses again with another judge or other judging settings: a new run (its id names
 * the parent and the judging), no new completions. Returns the new run's summary, as `modelspec regrade` prints.
 *
 * @example
 * const summary = await regrade({ run: "latest", judge: "anthropic:claude-sonnet-4-5", graderSamples: 5 });
 */
export async function regrade(options: RegradeOptions): Promise<RunSummary> {
  const o = parseOptions(RegradeOptionsSchema, options);
  const judge = modelId(o.judge);
  const store = ResultStore.open(o.db);
  const providers = new RunProviders();
  try {
    const parent = decodeRun(store.findRun(o.run));
    const spec = specOfRun(parent, o.spec);
    if (!spec) {
      throw new UsageError(
        `the spec of ${parent.id} (${parent.specVersion ?? parent.specHash.slice(0, 12)}) is not available; pass --spec`,
      );
    }
    const judging: JudgingSettings = {
      graderSamples: o.graderSamples,
      threshold: o.threshold,
      context: resolveJudgeContext(o.judgeContext, judge),
      maxTokens: o.judgeMaxTokens,
      temperature: o.judgeTemperature ?? null,
      hideExamples: false,
    };
    const config: RegradeConfig = {
      kind: "regrade",
      regradeOf: parent.id,
      specSource: o.spec ?? runSpecSource(parent),
      judging,
      judgeBaseUrl: withoutCredentials(o.judgeBaseUrl),
    };
    const runId = regradeRunId({ parentRunId: parent.id, judge, judging, judgeBaseUrl: config.judgeBaseUrl });
    // Before anything is written: a judge that cannot be created (no API key) leaves no run behind.
    const grader = await providers.get(o.judge, {
      baseURL: o.judgeBaseUrl,
      threads: o.threads,
      contextSize: o.contextSize,
    });
    const { resumed } = startRun(store, {
      id: runId,
      specVersion: spec.source.version,
      specHash: spec.source.contentHash,
      dataset: parent.dataset,
      model: parent.model,
      judge,
      parentRunId: parent.id,
      params: config,
    });
    store.copySamples(parent.id, runId); // idempotent, like adding samples
    await executeRun({
      store,
      runId,
      resumed,
      spec,
      candidate: null,
      judge: { provider: grader, concurrency: o.judgeConcurrency, judging },
      timeout: o.timeout,
      maxAttempts: o.maxAttempts,
      signal: o.signal,
      onProgress: o.onProgress,
    });
    return summarize(store, runId, spec);
  } finally {
    store.close();
    await providers.close();
  }
}
