import { exampleSamples, type Sample, selectSamples } from "../dataset/index.js";
import type { JudgingSettings } from "../judge/index.js";
import { requestKey } from "../runner/index.js";
import { loadSpec, type ResponseLabel } from "../spec/index.js";
import { cohensKappa, type KappaResult } from "../stats/index.js";
import { ResultStore, type TokenTotals } from "../store/index.js";
import { type CalibrationConfig, withoutCredentials } from "./config.js";
import { estimateSamples } from "./estimate.js";
import { executeRun, startRun } from "./execute.js";
import { calibrationRunId } from "./identity.js";
import { type CalibrateOptions, CalibrateOptionsSchema, judgingFrom, parseOptions } from "./options.js";
import { estimateCost, pricesFrom } from "./prices.js";
import { modelId, RunProviders } from "./providers.js";

interface CalibrationItem {
  sample: Sample;
  label: ResponseLabel;
  response: string;
}

/** How well a judge reproduces the spec's own labels: what `modelspec calibrate --json` prints. */
export interface CalibrationReport extends KappaResult {
  runId: string;
  /** The name given with `label` (untrusted text), or null. */
  label: string | null;
  judge: string;
  /** Labelled responses graded. */
  items: number;
  /** Responses labelled OK (neither GOOD nor BAD): how many the judge found compliant. */
  okLabels: { compliant: number; graded: number };
  ungraded: number;
  errors: number;
  pending: number;
  bySection: ({ sectionId: string } & KappaResult)[];
  /** The judge's tokens over the grader samples the verdicts rest on. */
  tokens: TokenTotals;
  /** Their estimated cost in US dollars from list prices (or `prices`); null when the judge's price is unknown. */
  estimatedCostUsd: number | null;
}

/**
 * Checks a judge on the spec's own labelled responses: each GOOD response should be graded compliant, each BAD
 * one not. The judge does not see the example conversations it grades. Accuracy and Cohen's kappa, overall and
 * by section.
 *
 * @example
 * const report = await calibrate({ spec: "2025-12-18", judge: "openai:gpt-5" });
 * console.log(report.accuracy, report.kappa);
 */
export async function calibrate(options: CalibrateOptions): Promise<CalibrationReport> {
  const o = parseOptions(CalibrateOptionsSchema, options);
  const spec = loadSpec(o.spec);
  const prices = pricesFrom(o.prices);
  const items = subset(
    calibrationItems(
      exampleSamples(spec).filter((s) => o.section.length === 0 || o.section.includes(s.sectionId ?? "")),
    ),
    o,
  );
  const judge = modelId(o.judge);
  // The judge must not see the examples whose labels it is asked to reproduce.
  const judging: JudgingSettings = judgingFrom(o, judge, true);
  const config: CalibrationConfig = {
    kind: "calibration",
    specSource: o.spec,
    sections: o.section,
    limit: o.limit ?? null,
    seed: o.seed ?? null,
    judging,
    judgeBaseUrl: withoutCredentials(o.judgeBaseUrl),
  };
  const runId = calibrationRunId({
    specHash: spec.source.contentHash,
    judge,
    judging,
    itemIds: items.map((i) => i.sample.id),
    limit: config.limit,
    seed: config.seed,
  });
  const estimate = o.onProgress
    ? await estimateSamples({
        spec,
        items: items.map((i) => ({ sample: i.sample, response: i.response })),
        epochs: 1,
        candidate: null,
        judge,
        judging,
        prices,
      })
    : undefined;
  const store = ResultStore.open(o.db);
  const providers = new RunProviders();
  try {
    const grader = await providers.judge(o);
    const started = startRun(store, {
      id: runId,
      specVersion: spec.source.version,
      specHash: spec.source.contentHash,
      dataset: "calibration",
      model: "spec:labelled-responses",
      judge,
      parentRunId: null,
      params: config,
      label: o.label,
    });
    // Idempotent, so a run killed while being set up is completed on the next call.
    store.addSamples(
      runId,
      items.map((i) => i.sample),
      1,
    );
    for (const item of items) {
      const key = requestKey({ kind: "labelled-response", text: item.response });
      store.putCompletion({
        key,
        provider: "spec",
        text: item.response,
        inputTokens: 0,
        outputTokens: 0,
        cachedTokens: null,
        finishReason: null,
        refusal: null,
      });
      store.setSampleCompletion(runId, item.sample.id, 1, { key });
    }
    await executeRun({
      store,
      runId,
      started,
      spec,
      candidate: null,
      judge: grader,
      options: o,
      estimate,
    });
    const tokens = store.tokenTotals(runId).judge;
    const label = store.getRun(runId)?.label ?? null;
    return {
      runId,
      label,
      judge,
      ...calibrationReport(store, runId, items),
      tokens,
      estimatedCostUsd: estimateCost(judge, tokens, prices),
    };
  } finally {
    store.close();
    await providers.close();
  }
}

/** At most `limit` of the labelled responses: the first, or a random subset with `seed`, as eval selects samples. */
function subset(items: CalibrationItem[], o: { limit?: number; seed?: number }): CalibrationItem[] {
  if (o.limit === undefined && o.seed === undefined) return items;
  const byId = new Map(items.map((i) => [i.sample.id, i]));
  return selectSamples(
    items.map((i) => i.sample),
    { limit: o.limit, seed: o.seed },
    null,
  ).flatMap((s) => byId.get(s.id) ?? []);
}

/** Every labelled response of the spec's examples, as a sample to grade with the response already given. */
function calibrationItems(samples: Sample[]): CalibrationItem[] {
  return samples.flatMap((sample) =>
    sample.references.map((ref, index) => ({
      sample: { ...sample, id: `calibrate:${sample.id}:${index + 1}`, references: [] },
      label: ref.label,
      response: ref.content,
    })),
  );
}

type Pair = { expected: boolean; actual: boolean };

function calibrationReport(
  store: ResultStore,
  runId: string,
  items: CalibrationItem[],
): Omit<CalibrationReport, "runId" | "label" | "judge" | "tokens" | "estimatedCostUsd"> {
  const verdicts = new Map<string, { status: string; compliant: boolean | null }>();
  for (const row of store.runResults(runId)) {
    if (row.verdict)
      verdicts.set(row.sampleId, { status: row.verdict.status, compliant: row.verdict.compliant });
  }
  const pairs: Pair[] = [];
  const bySection = new Map<string, Pair[]>();
  const okLabels = { compliant: 0, graded: 0 };
  let ungraded = 0;
  let errors = 0;
  let pending = 0;
  for (const item of items) {
    const v = verdicts.get(item.sample.id);
    if (!v) pending++;
    else if (v.status === "ungraded") ungraded++;
    else if (v.status === "error") errors++;
    else if (item.label === "OK") {
      okLabels.graded++;
      if (v.compliant) okLabels.compliant++;
    } else {
      const pair = { expected: item.label === "GOOD", actual: v.compliant === true };
      pairs.push(pair);
      const section = item.sample.sectionId ?? "(none)";
      bySection.set(section, [...(bySection.get(section) ?? []), pair]);
    }
  }
  return {
    items: items.length,
    ...cohensKappa(pairs),
    okLabels,
    ungraded,
    errors,
    pending,
    bySection: [...bySection].map(([sectionId, p]) => ({ sectionId, ...cohensKappa(p) })),
  };
}
