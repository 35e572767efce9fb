import { type PairedDifference, pairedDifference } from "../stats/index.js";
import type { ResultStore } from "../store/index.js";

export interface ComparisonRow extends PairedDifference {
  sectionId: string;
}

/** Two runs compared on the samples both graded: what `modelspec compare --json` prints. */
export interface RunComparison {
  runA: string;
  runB: string;
  /** Samples graded in both runs (matched by sample id and epoch); only these are compared. */
  paired: number;
  /** Samples graded in one run only, left out of the comparison. */
  unpaired: number;
  overall: PairedDifference;
  bySection: ComparisonRow[];
}

/** Per-section differences between two runs on the samples both graded, each with McNemar's exact test. */
export function comparePairs(store: ResultStore, runA: string, runB: string): RunComparison {
  const pairs = store.pairedVerdicts(runA, runB);
  const graded = (id: string) => store.verdictTotals(id, "all")[0]?.graded ?? 0;
  const bySection = new Map<string, { a: boolean; b: boolean }[]>();
  for (const p of pairs) {
    const key = p.sectionId ?? "(none)";
    const list = bySection.get(key) ?? [];
    if (list.length === 0) bySection.set(key, list);
    list.push({ a: p.a, b: p.b });
  }
  return {
    runA,
    runB,
    paired: pairs.length,
    unpaired: graded(runA) + graded(runB) - 2 * pairs.length,
    overall: pairedDifference(pairs),
    bySection: [...bySection].map(([sectionId, list]) => ({ sectionId, ...pairedDifference(list) })),
  };
}
