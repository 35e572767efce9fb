import type { RunComparison } from "../runs/index.js";
import { decimal, percent, points } from "./format.js";
import { renderTable } from "./table.js";

/**
 * Several runs compared pair by pair, as `modelspec compare` prints it for more than two runs: one row per pair
 * with the overall paired difference (B − A, percentage points) and its 95% interval, and the paired test's p
 * (McNemar's exact test; a sign test over prompts when a run has several epochs). `names` labels runs (e.g. by
 * model) beside their ids. No correction for multiple comparisons is applied: with many pairs, some small p
 * values are expected by chance.
 *
 * @example
 * console.log(renderPairwise(compareRunPairs({ db: ".modelspec/results.db", runs: ["run-3f2a", "run-9c1b", "latest"] })));
 */
export function renderPairwise(
  comparisons: readonly RunComparison[],
  names: Readonly<Record<string, string>> = {},
): string {
  const label = (id: string) => (names[id] ? `${id} (${names[id]})` : id);
  const clustered = comparisons.some((c) => c.clustered);
  return [
    `${comparisons.length} pairs of runs, each on the samples both graded (B − A in percentage points)`,
    renderTable(
      ["A", "B", "paired", "A rate", "B rate", "B − A [95% CI]", "p"],
      comparisons.map((c) => [
        label(c.runA),
        label(c.runB),
        c.overall.n,
        percent(c.overall.rateA),
        percent(c.overall.rateB),
        `${points(c.overall.diff)} pts${c.overall.ci95 ? ` [${points(c.overall.ci95[0])}, ${points(c.overall.ci95[1])}]` : ""}`,
        decimal(c.overall.pValue),
      ]),
    ),
    `p: McNemar's exact test${clustered ? "; a sign test over prompts for pairs with several epochs (paired counts prompts)" : ""}; not corrected for ${comparisons.length} comparisons. Per-section differences: compare two runs.`,
  ].join("\n");
}
