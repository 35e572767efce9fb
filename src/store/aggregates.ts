/**
 * Aggregates over a run's verdicts, computed in SQL so a report of 100 000 samples never loads them: verdict
 * totals by grouping, error kinds, token totals, and the verdicts two runs share. The verdict counts are written
 * once, here.
 */
import { type Sql, VERDICT_JOIN } from "./sql.js";

/** How samples are grouped for totals: all together, by section, by top-level section, by authority level. */
export type SampleGrouping = "all" | "section" | "top" | "authority";

/** A group's samples counted by verdict. Pending samples have no verdict yet. */
export interface VerdictTotals {
  /** The group's key: a section id, a top-level id or an authority level; null for samples without one (and for "all"). */
  id: string | null;
  total: number;
  graded: number;
  compliant: number;
  ungraded: number;
  errors: number;
  pending: number;
}

export interface TokenTotals {
  input: number;
  output: number;
  cachedInput: number;
}

const GROUP_COLUMN: Record<SampleGrouping, string> = {
  all: "NULL",
  section: "s.section_id",
  top: "s.top_level_id",
  // Releases before 2025-09 call the root level `platform`.
  authority: "CASE s.authority WHEN 'platform' THEN 'root' ELSE s.authority END",
};

/** Verdict totals of a run's samples by group, groups in the order their first sample appears in the dataset. */
export function verdictTotals(sql: Sql, runId: string, by: SampleGrouping): VerdictTotals[] {
  const column = GROUP_COLUMN[by];
  const rows = sql(
    `SELECT ${column} AS id,
       COUNT(*) AS total,
       COUNT(*) FILTER (WHERE v.status = 'graded') AS graded,
       COUNT(*) FILTER (WHERE v.status = 'graded' AND v.compliant = 1) AS compliant,
       COUNT(*) FILTER (WHERE v.status = 'ungraded') AS ungraded,
       COUNT(*) FILTER (WHERE v.status = 'error') AS errors,
       COUNT(*) FILTER (WHERE v.status IS NULL) AS pending
     FROM run_samples s ${VERDICT_JOIN}
     WHERE s.run_id = ? GROUP BY ${column} ORDER BY MIN(s.position)`,
  ).all(runId) as VerdictTotals[];
  if (by === "all" && rows.length === 0) {
    return [{ id: null, total: 0, graded: 0, compliant: 0, ungraded: 0, errors: 0, pending: 0 }];
  }
  return rows;
}

/** Error verdicts counted by kind, e.g. `completion:rate_limit`. */
export function errorKinds(sql: Sql, runId: string): Record<string, number> {
  const rows = sql(
    "SELECT error_kind AS kind, COUNT(*) AS n FROM verdicts WHERE run_id = ? AND status = 'error' GROUP BY error_kind",
  ).all(runId) as { kind: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

/** Tokens of the run's completions (candidate) and of the grader samples its verdicts rest on (judge). */
export function tokenTotals(sql: Sql, runId: string): { candidate: TokenTotals; judge: TokenTotals } {
  const candidate = sql(
    `SELECT COALESCE(SUM(c.input_tokens), 0) AS input, COALESCE(SUM(c.output_tokens), 0) AS output,
       COALESCE(SUM(c.cached_tokens), 0) AS cachedInput
     FROM run_samples s JOIN completions c ON c.key = s.completion_key WHERE s.run_id = ?`,
  ).get(runId) as TokenTotals;
  const judge = sql(
    `SELECT COALESCE(SUM(g.input_tokens), 0) AS input, COALESCE(SUM(g.output_tokens), 0) AS output,
       COALESCE(SUM(g.cached_tokens), 0) AS cachedInput
     FROM verdicts v, json_each(v.grade_keys) k JOIN grades g ON g.key = k.value WHERE v.run_id = ?`,
  ).get(runId) as TokenTotals;
  return { candidate, judge };
}

/** A sample graded in both of two runs (same sample id and epoch), with its verdict in each. */
export interface PairedVerdict {
  sectionId: string | null;
  a: boolean;
  b: boolean;
}

/** The samples graded in both runs, in run A's dataset order. */
export function pairedVerdicts(sql: Sql, runA: string, runB: string): PairedVerdict[] {
  const rows = sql(
    `SELECT s.section_id AS section, va.compliant AS a, vb.compliant AS b
     FROM verdicts va
     JOIN verdicts vb ON vb.run_id = ? AND vb.sample_id = va.sample_id AND vb.epoch = va.epoch
     JOIN run_samples s ON s.run_id = va.run_id AND s.sample_id = va.sample_id AND s.epoch = va.epoch
     WHERE va.run_id = ? AND va.status = 'graded' AND vb.status = 'graded'
     ORDER BY s.position`,
  ).all(runB, runA) as { section: string | null; a: number; b: number }[];
  return rows.map((r) => ({ sectionId: r.section, a: r.a === 1, b: r.b === 1 }));
}
