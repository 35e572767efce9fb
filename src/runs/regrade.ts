import { UsageError } from "../errors.js";
import { ResultStore } from "../store/index.js";
import { decodeRun, type RegradeConfig, type RunRecord, withoutCredentials } from "./config.js";
import { executeRun, startRun } from "./execute.js";
import { regradeRunId } from "./identity.js";
import { judgingFrom, parseOptions, type RegradeOptions, RegradeOptionsSchema } from "./options.js";
import { pricesFrom } from "./prices.js";
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
  const prices = pricesFrom(o.prices);
  const judge = modelId(o.judge);
  const store = ResultStore.open(o.db);
  const providers = new RunProviders();
  try {
    const judging = judgingFrom(o, judge, false);
    const judgeBaseUrl = withoutCredentials(o.judgeBaseUrl);
    const parent = parentOf(store, decodeRun(store.findRun(o.run)), { judge, judging, judgeBaseUrl });
    const spec = specOfRun(parent, o.spec);
    if (!spec) {
      throw new UsageError(
        `the spec of ${parent.id} (${parent.specVersion ?? parent.specHash.slice(0, 12)}) is not available; pass --spec`,
      );
    }
    const config: RegradeConfig = {
      kind: "regrade",
      regradeOf: parent.id,
      specSource: o.spec ?? runSpecSource(parent),
      // The parent's boundary token: the judge reads the prompts the parent's judge read, so the grader samples
      // it drew with the same judge and settings are reused (e.g. by a regrade with --grader-samples-all).
      judging: { ...judging, boundary: parent.params.judging.boundary },
      judgeBaseUrl,
    };
    const runId = regradeRunId({ parentRunId: parent.id, judge, judging, judgeBaseUrl });
    // Before anything is written: a judge that cannot be created (no API key) leaves no run behind.
    const grader = await providers.judge(o);
    const started = startRun(store, {
      id: runId,
      specVersion: spec.source.version,
      specHash: spec.source.contentHash,
      dataset: parent.dataset,
      model: parent.model,
      judge,
      parentRunId: parent.id,
      params: config,
      label: o.label,
    });
    store.copySamples(parent.id, runId); // idempotent, like adding samples
    await executeRun({
      store,
      runId,
      started,
      spec,
      candidate: null,
      judge: grader,
      options: o,
    });
    return summarize(store, runId, spec, prices);
  } finally {
    store.close();
    await providers.close();
  }
}

/**
 * The run to grade again. Naming a regrade made with these very settings (e.g. `latest` after that regrade was
 * stopped or killed) means that regrade: its parent is graded again, so the same run id resumes it, rather than
 * a regrade of the regrade starting.
 */
function parentOf(
  store: ResultStore,
  named: RunRecord,
  regrading: Omit<Parameters<typeof regradeRunId>[0], "parentRunId">,
): RunRecord {
  if (named.params.kind !== "regrade" || named.parentRunId === null) return named;
  const same = regradeRunId({ ...regrading, parentRunId: named.parentRunId });
  return same === named.id ? decodeRun(store.findRun(named.parentRunId)) : named;
}
