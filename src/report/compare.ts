import { renderTable } from "../cli/output.js";
import type { ResultStore, RunRecord } from "../store/index.js";
import { type PairedDifference, pairedDifference } from "./stats.js";

export interface ComparisonRow extends PairedDifference {
  sectionId: string;
}

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
export function comparePairs(store: ResultStore, a: RunRecord, b: RunRecord): RunComparison {
  const rows = store.db
    .prepare(
      `SELECT s.section_id AS section, va.compliant AS a, vb.compliant AS b
       FROM verdicts va
       JOIN verdicts vb ON vb.run_id = ? AND vb.sample_id = va.sample_id AND vb.epoch = va.epoch
       JOIN run_samples s ON s.run_id = va.run_id AND s.sample_id = va.sample_id AND s.epoch = va.epoch
       WHERE va.run_id = ? AND va.status = 'graded' AND vb.status = 'graded'
       ORDER BY s.position`,
    )
    .all(b.id, a.id) as { section: string | null; a: number; b: number }[];
  const graded = (id: string) =>
    (
      store.db
        .prepare("SELECT COUNT(*) AS n FROM verdicts WHERE run_id = ? AND status = 'graded'")
        .get(id) as { n: number }
    ).n;
  const bySection = new Map<string, { a: boolean; b: boolean }[]>();
  for (const r of rows) {
    const key = r.section ?? "(none)";
    bySection.set(key, [...(bySection.get(key) ?? []), { a: r.a === 1, b: r.b === 1 }]);
  }
  return {
    runA: a.id,
    runB: b.id,
    paired: rows.length,
    unpaired: graded(a.id) + graded(b.id) - 2 * rows.length,
    overall: pairedDifference(rows.map((r) => ({ a: r.a === 1, b: r.b === 1 }))),
    bySection: [...bySection].map(([sectionId, pairs]) => ({ sectionId, ...pairedDifference(pairs) })),
  };
}

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
const signed = (x: number | null) => (x === null ? "—" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}`);

export function renderComparison(c: RunComparison): string {
  const row = (id: string, d: PairedDifference) => [
    id,
    d.n,
    pct(d.rateA),
    pct(d.rateB),
    `${signed(d.diff)} pts${d.ci95 ? ` [${signed(d.ci95[0])}, ${signed(d.ci95[1])}]` : ""}`,
    d.pValue.toFixed(3),
  ];
  return [
    `A = ${c.runA}   B = ${c.runB}   ${c.paired} paired samples${c.unpaired ? ` (${c.unpaired} graded in one run only, left out)` : ""}`,
    renderTable(
      ["section", "n", "A", "B", "B − A [95% CI]", "p (McNemar)"],
      [row("overall", c.overall), ...c.bySection.map((s) => row(s.sectionId, s))],
    ),
  ].join("\n");
}
