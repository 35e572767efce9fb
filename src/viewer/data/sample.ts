import type { Sample } from "../../dataset/index.js";
import type { CompletionRecord, GradeRecord, ResultStore, VerdictRecord } from "../../store/index.js";

export interface SampleRef {
  sampleId: string;
  epoch: number;
}

export interface SampleDetail {
  runId: string;
  sampleId: string;
  epoch: number;
  position: number;
  sample: Sample;
  completion: CompletionRecord | null;
  /** The completion error when no completion could be had. */
  completionError: { kind: string; message: string | null } | null;
  verdict: VerdictRecord | null;
  /** One per grader sample, in the order the judge was asked. */
  grades: GradeRecord[];
  prev: SampleRef | null;
  next: SampleRef | null;
}

type Row = Record<string, unknown>;

/** Everything stored about one sample of a run, with its neighbours in dataset order; null when absent. */
export function sampleDetail(
  store: ResultStore,
  runId: string,
  sampleId: string,
  epoch: number,
): SampleDetail | null {
  const db = store.db;
  const row = db
    .prepare("SELECT * FROM run_samples WHERE run_id = ? AND sample_id = ? AND epoch = ?")
    .get(runId, sampleId, epoch) as Row | undefined;
  if (!row) return null;
  const position = Number(row.position);
  const completionKey = (row.completion_key as string | null) ?? null;
  const v = db
    .prepare("SELECT * FROM verdicts WHERE run_id = ? AND sample_id = ? AND epoch = ?")
    .get(runId, sampleId, epoch) as Row | undefined;
  const gradeKeys = v ? (JSON.parse(String(v.grade_keys)) as string[]) : [];
  const neighbour = (op: "<" | ">") => {
    const r = db
      .prepare(
        `SELECT sample_id, epoch FROM run_samples WHERE run_id = ? AND position ${op} ?
         ORDER BY position ${op === "<" ? "DESC" : "ASC"} LIMIT 1`,
      )
      .get(runId, position) as { sample_id: string; epoch: number } | undefined;
    return r ? { sampleId: r.sample_id, epoch: r.epoch } : null;
  };
  return {
    runId,
    sampleId,
    epoch,
    position,
    sample: JSON.parse(String(row.sample)) as Sample,
    completion: completionKey ? (store.getCompletion(completionKey) ?? null) : null,
    completionError: row.error_kind
      ? { kind: String(row.error_kind), message: (row.error_message as string | null) ?? null }
      : null,
    verdict: v
      ? {
          status: v.status as VerdictRecord["status"],
          compliance: v.compliance === null ? null : Number(v.compliance),
          compliant: v.compliant === null ? null : v.compliant === 1,
          gradeKeys,
          errorKind: (v.error_kind as string | null) ?? null,
          errorMessage: (v.error_message as string | null) ?? null,
        }
      : null,
    grades: gradeKeys.map((k) => store.getGrade(k)).filter((g): g is GradeRecord => g !== undefined),
    prev: neighbour("<"),
    next: neighbour(">"),
  };
}
