import { UsageError } from "../errors.js";
import { clusteredPairedDifference, type PairedDifference, pairedDifference } from "../stats/index.js";
import type { ResultStore } from "../store/index.js";

export interface ComparisonRow extends PairedDifference {
  sectionId: string;
}

/** Two runs compared on the samples both graded: what `modelspec compare --json` prints. */
export interface RunComparison {
  runA: string;
  runB: string;
  /** Samples graded in both runs (matched by sample id and epoch). */
  paired: number;
  /** Samples graded in one run only, left out of the comparison. */
  unpaired: number;
  /**
   * Some prompt has several graded epochs: prompts are paired (each scored by the mean of its graded epochs in
   * each run), the interval is clustered by prompt and the p-value a sign test; `n` counts prompts. Otherwise
   * samples are paired one to one with McNemar's exact test and Newcombe's interval.
   */
  clustered: boolean;
  overall: PairedDifference;
  bySection: ComparisonRow[];
}

/** Refuses two runs with no sample in common (another dataset, other filters): there is nothing to pair. */
export function checkShareSamples(store: ResultStore, runA: string, runB: string): void {
  if (!store.shareSamples(runA, runB)) throw new UsageError(`runs ${runA} and ${runB} share no samples`);
}

/** Per-section differences between two runs on what both graded, with a paired test and interval. */
export function comparePairs(store: ResultStore, runA: string, runB: string): RunComparison {
  const pairs = store.pairedVerdicts(runA, runB);
  const totals = (id: string) => store.verdictTotals(id, "all")[0];
  const [a, b] = [totals(runA), totals(runB)];
  const base = {
    runA,
    runB,
    paired: pairs.length,
    unpaired: (a?.graded ?? 0) + (b?.graded ?? 0) - 2 * pairs.length,
  };
  if ((a?.maxEpochs ?? 0) <= 1 && (b?.maxEpochs ?? 0) <= 1) {
    return {
      ...base,
      clustered: false,
      overall: pairedDifference(pairs),
      bySection: bySection(pairs, pairedDifference),
    };
  }
  const scoresB = new Map(store.promptScores(runB).map((p) => [p.sampleId, p]));
  const prompts = store.promptScores(runA).flatMap((p) => {
    const other = scoresB.get(p.sampleId);
    return other
      ? [{ sectionId: p.sectionId, a: p.compliant / p.graded, b: other.compliant / other.graded }]
      : [];
  });
  return {
    ...base,
    clustered: true,
    overall: clusteredPairedDifference(prompts),
    bySection: bySection(prompts, clusteredPairedDifference),
  };
}

function bySection<T extends { sectionId: string | null }>(
  items: T[],
  difference: (items: T[]) => PairedDifference,
): ComparisonRow[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = item.sectionId ?? "(none)";
    const list = groups.get(key) ?? [];
    if (list.length === 0) groups.set(key, list);
    list.push(item);
  }
  return [...groups].map(([sectionId, list]) => ({ sectionId, ...difference(list) }));
}
