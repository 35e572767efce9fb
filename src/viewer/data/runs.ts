import { wilsonInterval } from "../../report/stats.js";
import type { ResultStore, RunRecord } from "../../store/index.js";

export interface RunListItem extends RunRecord {
  samples: number;
  graded: number;
  compliant: number;
  ungraded: number;
  errors: number;
  pending: number;
  rate: number | null;
  ci95: [number, number] | null;
}

export interface RunTotals {
  total: number;
  graded: number;
  compliant: number;
  ungraded: number;
  errors: number;
  pending: number;
}

/** One run's sample counts by verdict. */
export function runTotals(store: ResultStore, runId: string): RunTotals {
  return store.db
    .prepare(
      `SELECT COUNT(*) AS total,
         COUNT(*) FILTER (WHERE v.status = 'graded') AS graded,
         COUNT(*) FILTER (WHERE v.compliant = 1) AS compliant,
         COUNT(*) FILTER (WHERE v.status = 'ungraded') AS ungraded,
         COUNT(*) FILTER (WHERE v.status = 'error') AS errors,
         COUNT(*) FILTER (WHERE v.status IS NULL) AS pending
       FROM run_samples s LEFT JOIN verdicts v
         ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch
       WHERE s.run_id = ?`,
    )
    .get(runId) as RunTotals;
}

/** Every run, newest first, with its sample counts and overall compliance (`totalsOf` may cache). */
export function listRunsWithTotals(
  store: ResultStore,
  totalsOf: (run: RunRecord) => RunTotals = (run) => runTotals(store, run.id),
): RunListItem[] {
  return store.listRuns().map((run) => {
    const t = totalsOf(run);
    return {
      ...run,
      samples: t.total,
      graded: t.graded,
      compliant: t.compliant,
      ungraded: t.ungraded,
      errors: t.errors,
      pending: t.pending,
      rate: t.graded > 0 ? t.compliant / t.graded : null,
      ci95: wilsonInterval(t.compliant, t.graded),
    };
  });
}

/** The distinct candidate models of the database's runs, for the sample filter. */
export function listModels(store: ResultStore): string[] {
  return (
    store.db.prepare("SELECT DISTINCT model FROM runs ORDER BY model").all() as { model: string }[]
  ).map((r) => r.model);
}
