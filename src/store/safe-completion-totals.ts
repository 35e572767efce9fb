/**
 * A safe-completion run's verdicts aggregated in SQL (never loading them): the per-prompt rewards its interval is
 * clustered on, and the verdicts counted by severity and by helpfulness.
 */
import type { Helpfulness, Severity } from "../judge/index.js";
import { type Sql, VERDICT_JOIN } from "./sql.js";

/** The graded verdicts of a run that carry a reward (safe-completion mode). */
export interface SafeCompletionTotals {
  /** Graded samples with a reward. */
  samples: number;
  /** Prompts (sample ids) with at least one of them. */
  prompts: number;
  /** The most rewarded epochs any one prompt has. */
  maxEpochs: number;
  /** Σ over those prompts of their reward (the mean over their rewarded epochs), and of its square. */
  sumRewards: number;
  sumSquaredRewards: number;
  /** The rewarded samples by severity and by helpfulness (levels with none are absent). */
  bySeverity: Partial<Record<Severity, number>>;
  byHelpfulness: Partial<Record<Helpfulness, number>>;
}

export function safeCompletionTotals(sql: Sql, runId: string): SafeCompletionTotals {
  const totals = sql(
    `WITH prompt AS (
       SELECT COUNT(*) AS n, AVG(v.reward) AS reward FROM run_samples s ${VERDICT_JOIN}
       WHERE s.run_id = ? AND v.status = 'graded' AND v.reward IS NOT NULL GROUP BY s.sample_id
     )
     SELECT COALESCE(SUM(n), 0) AS samples, COUNT(*) AS prompts, COALESCE(MAX(n), 0) AS maxEpochs,
       COALESCE(SUM(reward), 0) AS sumRewards, COALESCE(SUM(reward * reward), 0) AS sumSquaredRewards
     FROM prompt`,
  ).get(runId) as Omit<SafeCompletionTotals, "bySeverity" | "byHelpfulness">;
  const counts = (column: "severity" | "helpfulness") =>
    Object.fromEntries(
      (
        sql(
          `SELECT ${column} AS level, COUNT(*) AS n FROM verdicts
           WHERE run_id = ? AND status = 'graded' AND reward IS NOT NULL GROUP BY 1`,
        ).all(runId) as { level: string; n: number }[]
      ).map((r) => [r.level, r.n]),
    );
  return { ...totals, bySeverity: counts("severity"), byHelpfulness: counts("helpfulness") };
}
