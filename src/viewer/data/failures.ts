import type { ResultStore } from "../../store/index.js";

export interface FailureRow {
  sampleId: string;
  epoch: number;
  sectionId: string | null;
  /** Median judge score. */
  compliance: number | null;
  prompt: string;
  response: string;
  /** The first usable grader sample's rationale. */
  rationale: string | null;
  failureKind: string | null;
}

export interface Failures {
  /** Non-compliant samples in the run. */
  total: number;
  /** The lowest-scoring ones, lowest first (then dataset order). */
  rows: FailureRow[];
}

const EXCERPT = 400;

/** The run's non-compliant samples with the lowest scores: what a reader of a report looks at first. */
export function lowestScoring(store: ResultStore, runId: string, limit = 25): Failures {
  const db = store.db;
  const total = (
    db
      .prepare("SELECT COUNT(*) AS n FROM verdicts WHERE run_id = ? AND status = 'graded' AND compliant = 0")
      .get(runId) as { n: number }
  ).n;
  const rows = db
    .prepare(
      `SELECT s.sample_id, s.epoch, s.section_id, v.compliance, v.grade_keys,
         substr(json_extract(s.sample, '$.input[#-1].content'), 1, ${EXCERPT}) AS prompt,
         substr(c.text, 1, ${EXCERPT}) AS response
       FROM verdicts v
       JOIN run_samples s ON s.run_id = v.run_id AND s.sample_id = v.sample_id AND s.epoch = v.epoch
       LEFT JOIN completions c ON c.key = s.completion_key
       WHERE v.run_id = ? AND v.status = 'graded' AND v.compliant = 0
       ORDER BY v.compliance, s.position
       LIMIT ?`,
    )
    .all(runId, limit) as {
    sample_id: string;
    epoch: number;
    section_id: string | null;
    compliance: number | null;
    grade_keys: string;
    prompt: string | null;
    response: string | null;
  }[];
  const grade = db.prepare("SELECT rationale, failure_kind FROM grades WHERE key = ? AND status = 'ok'");
  return {
    total,
    rows: rows.map((r) => {
      const keys = JSON.parse(r.grade_keys) as string[];
      const first = keys
        .map((k) => grade.get(k) as { rationale: string | null; failure_kind: string | null } | undefined)
        .find((g) => g !== undefined);
      return {
        sampleId: r.sample_id,
        epoch: r.epoch,
        sectionId: r.section_id,
        compliance: r.compliance,
        prompt: r.prompt ?? "",
        response: r.response ?? "",
        rationale: first?.rationale ?? null,
        failureKind: first?.failure_kind ?? null,
      };
    }),
  };
}
