/**
 * Aggregates over a run's verdicts, computed in SQL so a report of 100 000 samples never loads them: verdict
 * totals by grouping (with the per-prompt scores intervals are clustered on), verdict kinds, the judge's answers,
 * token totals, and the verdicts two runs share. The verdict counts are written once, here.
 */
import { type Sql, VERDICT_JOIN } from "./sql.js";

/** How samples are grouped for totals: all together, by section, by top-level section, by authority level. */
export type SampleGrouping = "all" | "section" | "top" | "authority";

/** A group's samples counted by verdict, and the per-prompt scores its intervals are computed from. */
export interface VerdictTotals {
  /** The group's key: a section id, a top-level id or an authority level; null for samples without one (and for "all"). */
  id: string | null;
  total: number;
  graded: number;
  compliant: number;
  ungraded: number;
  errors: number;
  /** Samples with no verdict yet. */
  pending: number;
  /** Prompts (sample ids) with at least one graded epoch. */
  prompts: number;
  /** The most graded epochs any one prompt has. */
  maxEpochs: number;
  /** Σ over those prompts of their score (compliant epochs / graded epochs), and of its square. */
  sumScores: number;
  sumSquaredScores: number;
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

const NO_SAMPLES: VerdictTotals = {
  id: null,
  total: 0,
  graded: 0,
  compliant: 0,
  ungraded: 0,
  errors: 0,
  pending: 0,
  prompts: 0,
  maxEpochs: 0,
  sumScores: 0,
  sumSquaredScores: 0,
};

/**
 * Verdict totals of a run's samples by group, groups in the order their first sample appears in the dataset.
 * The epochs of one prompt are first counted per prompt (its score), so intervals can be clustered by prompt.
 */
export function verdictTotals(sql: Sql, runId: string, by: SampleGrouping): VerdictTotals[] {
  const column = GROUP_COLUMN[by];
  const score = "CAST(compliant AS REAL) / graded";
  const rows = sql(
    `WITH prompt AS (
       SELECT ${column} AS id, MIN(s.position) AS first, COUNT(*) AS total,
         COUNT(*) FILTER (WHERE v.status = 'graded') AS graded,
         COUNT(*) FILTER (WHERE v.status = 'graded' AND v.compliant = 1) AS compliant,
         COUNT(*) FILTER (WHERE v.status = 'ungraded') AS ungraded,
         COUNT(*) FILTER (WHERE v.status = 'error') AS errors,
         COUNT(*) FILTER (WHERE v.status IS NULL) AS pending
       FROM run_samples s ${VERDICT_JOIN}
       WHERE s.run_id = ? GROUP BY ${column}, s.sample_id
     )
     SELECT id, SUM(total) AS total, SUM(graded) AS graded, SUM(compliant) AS compliant,
       SUM(ungraded) AS ungraded, SUM(errors) AS errors, SUM(pending) AS pending,
       COUNT(*) FILTER (WHERE graded > 0) AS prompts, MAX(graded) AS maxEpochs,
       COALESCE(SUM(${score}) FILTER (WHERE graded > 0), 0) AS sumScores,
       COALESCE(SUM(${score} * ${score}) FILTER (WHERE graded > 0), 0) AS sumSquaredScores
     FROM prompt GROUP BY id ORDER BY MIN(first)`,
  ).all(runId) as VerdictTotals[];
  return by === "all" && rows.length === 0 ? [NO_SAMPLES] : rows;
}

/** A run's error (or ungraded) verdicts counted by kind, e.g. `completion:rate_limit`, `judge:refused`. */
export function verdictKinds(sql: Sql, runId: string, status: "error" | "ungraded"): Record<string, number> {
  const rows = sql(
    `SELECT COALESCE(error_kind, 'unknown') AS kind, COUNT(*) AS n FROM verdicts
     WHERE run_id = ? AND status = ? GROUP BY 1 ORDER BY 1`,
  ).all(runId, status) as { kind: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

/** What the judge answered, over every grader sample of a run's verdicts. */
export interface GraderAnswers {
  usable: number;
  unparseable: number;
  refused: number;
  /** Graded samples whose verdict rests on fewer usable answers than grader samples were drawn. */
  partiallyGraded: number;
  /** Samples whose verdict rests on at least one grader sample (the answers above are theirs). */
  judged: number;
}

export function graderAnswers(sql: Sql, runId: string): GraderAnswers {
  const answers = sql(
    `SELECT COUNT(*) FILTER (WHERE g.status = 'ok') AS usable,
       COUNT(*) FILTER (WHERE g.status = 'unparseable') AS unparseable,
       COUNT(*) FILTER (WHERE g.status = 'refused') AS refused
     FROM verdicts v, json_each(v.grade_keys) k JOIN grades g ON g.key = k.value WHERE v.run_id = ?`,
  ).get(runId) as Omit<GraderAnswers, "partiallyGraded" | "judged">;
  const counts = sql(
    `SELECT COUNT(*) FILTER (WHERE status = 'graded' AND usable_grades < json_array_length(grade_keys)) AS partial,
       COUNT(*) FILTER (WHERE json_array_length(grade_keys) > 0) AS judged
     FROM verdicts WHERE run_id = ?`,
  ).get(runId) as { partial: number; judged: number };
  return { ...answers, partiallyGraded: counts.partial, judged: counts.judged };
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

/** One prompt's graded epochs in a run. */
export interface PromptScore {
  sampleId: string;
  sectionId: string | null;
  graded: number;
  compliant: number;
}

/** A run's prompts with at least one graded epoch, in dataset order. */
export function promptScores(sql: Sql, runId: string): PromptScore[] {
  return sql(
    `SELECT s.sample_id AS sampleId, s.section_id AS sectionId, COUNT(*) AS graded,
       COUNT(*) FILTER (WHERE v.compliant = 1) AS compliant
     FROM run_samples s JOIN verdicts v ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch
     WHERE s.run_id = ? AND v.status = 'graded' GROUP BY s.sample_id ORDER BY MIN(s.position)`,
  ).all(runId) as PromptScore[];
}

/** A sample graded in both of two runs (same sample id and epoch), with its verdict in each. */
export interface PairedVerdict {
  sampleId: string;
  sectionId: string | null;
  a: boolean;
  b: boolean;
}

/** Whether two runs have a sample id in common (whatever became of it): else there is nothing to compare. */
export function shareSamples(sql: Sql, runA: string, runB: string): boolean {
  return (
    sql(
      `SELECT 1 FROM run_samples a
       WHERE a.run_id = ? AND EXISTS (SELECT 1 FROM run_samples b WHERE b.run_id = ? AND b.sample_id = a.sample_id)
       LIMIT 1`,
    ).get(runA, runB) !== undefined
  );
}

/** The samples graded in both runs, in run A's dataset order. */
export function pairedVerdicts(sql: Sql, runA: string, runB: string): PairedVerdict[] {
  const rows = sql(
    `SELECT va.sample_id AS sample, s.section_id AS section, va.compliant AS a, vb.compliant AS b
     FROM verdicts va
     JOIN verdicts vb ON vb.run_id = ? AND vb.sample_id = va.sample_id AND vb.epoch = va.epoch
     JOIN run_samples s ON s.run_id = va.run_id AND s.sample_id = va.sample_id AND s.epoch = va.epoch
     WHERE va.run_id = ? AND va.status = 'graded' AND vb.status = 'graded'
     ORDER BY s.position`,
  ).all(runB, runA) as { sample: string; section: string | null; a: number; b: number }[];
  return rows.map((r) => ({ sampleId: r.sample, sectionId: r.section, a: r.a === 1, b: r.b === 1 }));
}
