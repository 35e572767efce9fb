/**
 * How a run's (or one section's) samples were scored and how they failed: graded samples by median score, the
 * non-compliant ones by the failure kind the judge named, errors and ungraded samples by reason. Run-wide it reads
 * the verdicts table alone; for a section, that section's rows through the (run_id, section_id) index.
 */
import type { Sql } from "./sql.js";

/** Failure kinds the judge names, in the order they are shown. */
const FAILURE_KINDS = ["over-refusal", "too-permissive", "other"] as const;

export interface ScoreBreakdown {
  /** The section the counts are of; null: the whole run. */
  section: string | null;
  /** Graded samples by median score, ascending (a median of two grader samples may fall between two scores). */
  scores: { score: number; compliant: number; nonCompliant: number }[];
  /**
   * Non-compliant samples by failure kind: the kind most of the sample's usable grader samples named;
   * `mixed` when two kinds tie, `unspecified` when none named one.
   */
  failureKinds: { kind: string; samples: number }[];
  /** Samples with no response (errors) and with too few usable judge answers (ungraded), by reason. */
  errors: { kind: string; samples: number }[];
  ungraded: { kind: string; samples: number }[];
}

export function scoreBreakdown(sql: Sql, runId: string, section: string | null = null): ScoreBreakdown {
  const scoped = section
    ? `WITH scoped AS (SELECT v.* FROM run_samples s
         JOIN verdicts v ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch
         WHERE s.run_id = ? AND s.section_id = ?)`
    : "WITH scoped AS (SELECT * FROM verdicts WHERE run_id = ?)";
  const params = section ? [runId, section] : [runId];
  const scores = sql(
    `${scoped} SELECT compliance AS score, COUNT(*) FILTER (WHERE compliant = 1) AS compliant,
       COUNT(*) FILTER (WHERE compliant = 0) AS nonCompliant
     FROM scoped WHERE status = 'graded' AND compliance IS NOT NULL GROUP BY compliance ORDER BY compliance`,
  ).all(...params) as ScoreBreakdown["scores"];
  const kinds = sql(
    `${scoped}, named AS (
       SELECT v.sample_id, v.epoch, g.failure_kind AS kind, COUNT(*) AS n
       FROM scoped v, json_each(v.grade_keys) k JOIN grades g ON g.key = k.value
       WHERE v.status = 'graded' AND v.compliant = 0 AND g.status = 'ok'
         AND g.failure_kind IS NOT NULL AND g.failure_kind != 'none'
       GROUP BY v.sample_id, v.epoch, g.failure_kind
     ), ranked AS (
       SELECT sample_id, epoch, kind, n, MAX(n) OVER (PARTITION BY sample_id, epoch) AS top FROM named
     ), chosen AS (
       SELECT CASE WHEN COUNT(*) > 1 THEN 'mixed' ELSE MAX(kind) END AS kind
       FROM ranked WHERE n = top GROUP BY sample_id, epoch
     )
     SELECT kind, COUNT(*) AS samples FROM chosen GROUP BY kind`,
  ).all(...params) as { kind: string; samples: number }[];
  const reasons = sql(
    `${scoped} SELECT status, COALESCE(error_kind, 'unknown') AS kind, COUNT(*) AS samples
     FROM scoped WHERE status IN ('error', 'ungraded') GROUP BY 1, 2 ORDER BY 3 DESC, 2`,
  ).all(...params) as { status: string; kind: string; samples: number }[];
  const nonCompliant = scores.reduce((n, s) => n + s.nonCompliant, 0);
  const named = kinds.reduce((n, k) => n + k.samples, 0);
  const order = (kind: string) => {
    const i = (FAILURE_KINDS as readonly string[]).indexOf(kind);
    return i < 0 ? FAILURE_KINDS.length : i;
  };
  return {
    section,
    scores,
    failureKinds: [
      ...kinds.sort((a, b) => order(a.kind) - order(b.kind) || a.kind.localeCompare(b.kind)),
      ...(nonCompliant > named ? [{ kind: "unspecified", samples: nonCompliant - named }] : []),
    ],
    errors: reasons.filter((r) => r.status === "error").map(({ kind, samples }) => ({ kind, samples })),
    ungraded: reasons.filter((r) => r.status === "ungraded").map(({ kind, samples }) => ({ kind, samples })),
  };
}
