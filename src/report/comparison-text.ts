import type { RunComparison } from "../runs/index.js";
import type { PairedDifference } from "../stats/index.js";
import { decimal, percent, points } from "./format.js";
import { renderTable } from "./table.js";

/**
 * Two runs compared, as `modelspec compare` prints it: the paired difference overall and per section, with its
 * Newcombe interval and McNemar's p.
 *
 * @example
 * console.log(renderComparison(compareRuns({ db: ".modelspec/results.db", a: "run-3f2a", b: "latest" })));
 */
export function renderComparison(c: RunComparison): string {
  const row = (id: string, d: PairedDifference) => [
    id,
    d.n,
    percent(d.rateA),
    percent(d.rateB),
    `${points(d.diff)} pts${d.ci95 ? ` [${points(d.ci95[0])}, ${points(d.ci95[1])}]` : ""}`,
    decimal(d.pValue),
  ];
  return [
    `A = ${c.runA}   B = ${c.runB}   ${c.paired} paired samples${c.unpaired ? ` (${c.unpaired} graded in one run only, left out)` : ""}`,
    renderTable(
      ["section", "n", "A", "B", "B − A [95% CI]", "p (McNemar)"],
      [row("overall", c.overall), ...c.bySection.map((s) => row(s.sectionId, s))],
    ),
  ].join("\n");
}
