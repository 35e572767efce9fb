import type { Sample } from "../dataset/index.js";
import { excerptOf, textWindow } from "./excerpt.js";
import {
  type CompletionRecord,
  type GradeRecord,
  type Row,
  toCompletion,
  toGrade,
  toRunSample,
  toVerdict,
  type VerdictRecord,
} from "./records.js";
import type { Sql } from "./sql.js";

interface SampleRef {
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

/** Everything stored about one sample of a run, with its neighbours in dataset order; null when absent. */
export function sampleDetail(sql: Sql, runId: string, sampleId: string, epoch: number): SampleDetail | null {
  const row = sql("SELECT * FROM run_samples WHERE run_id = ? AND sample_id = ? AND epoch = ?").get(
    runId,
    sampleId,
    epoch,
  ) as Row | undefined;
  if (!row) return null;
  const sample = toRunSample(row);
  const v = sql("SELECT * FROM verdicts WHERE run_id = ? AND sample_id = ? AND epoch = ?").get(
    runId,
    sampleId,
    epoch,
  ) as Row | undefined;
  const verdict = v ? toVerdict(v) : null;
  const neighbour = (op: "<" | ">") => {
    const r = sql(
      `SELECT sample_id, epoch FROM run_samples WHERE run_id = ? AND position ${op} ?
       ORDER BY position ${op === "<" ? "DESC" : "ASC"} LIMIT 1`,
    ).get(runId, sample.position) as { sample_id: string; epoch: number } | undefined;
    return r ? { sampleId: r.sample_id, epoch: r.epoch } : null;
  };
  const completion = sample.completionKey
    ? (sql("SELECT * FROM completions WHERE key = ?").get(sample.completionKey) as Row | undefined)
    : undefined;
  const grade = sql("SELECT * FROM grades WHERE key = ?");
  return {
    runId,
    sampleId,
    epoch,
    position: sample.position,
    sample: sample.sample,
    completion: completion ? toCompletion(completion) : null,
    completionError: sample.errorKind ? { kind: sample.errorKind, message: sample.errorMessage } : null,
    verdict,
    grades: (verdict?.gradeKeys ?? []).flatMap((k) => {
      const g = grade.get(k) as Row | undefined;
      return g ? [toGrade(g)] : [];
    }),
    prev: neighbour("<"),
    next: neighbour(">"),
  };
}

export interface FailureRow {
  sampleId: string;
  epoch: number;
  sectionId: string | null;
  /** Median judge score. */
  compliance: number | null;
  /** Excerpts of the last message and the response (`…` where text is left out). */
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

const EXCERPT = 200;

/** The run's non-compliant samples with the lowest scores: what a reader of a report looks at first. */
export function lowestScoring(sql: Sql, runId: string, limit = 25): Failures {
  const total = (
    sql("SELECT COUNT(*) AS n FROM verdicts WHERE run_id = ? AND status = 'graded' AND compliant = 0").get(
      runId,
    ) as { n: number }
  ).n;
  const rows = sql(
    `SELECT s.sample_id, s.epoch, s.section_id, v.compliance, v.grade_keys,
         ${textWindow("json_extract(s.sample, '$.input[#-1].content')", 2 * EXCERPT, "prompt")},
         ${textWindow("c.text", 2 * EXCERPT, "response")}
       FROM verdicts v
       JOIN run_samples s ON s.run_id = v.run_id AND s.sample_id = v.sample_id AND s.epoch = v.epoch
       LEFT JOIN completions c ON c.key = s.completion_key
       WHERE v.run_id = ? AND v.status = 'graded' AND v.compliant = 0
       ORDER BY v.compliance, s.position
       LIMIT ?`,
  ).all(runId, limit) as {
    sample_id: string;
    epoch: number;
    section_id: string | null;
    compliance: number | null;
    grade_keys: string;
    prompt: string | null;
    prompt_more: number | null;
    response: string | null;
    response_more: number | null;
  }[];
  const grade = sql("SELECT rationale, failure_kind FROM grades WHERE key = ? AND status = 'ok'");
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
        prompt: excerptOf(r.prompt ?? "", r.prompt_more === 1, EXCERPT),
        response: excerptOf(r.response ?? "", r.response_more === 1, EXCERPT),
        rationale: first?.rationale ?? null,
        failureKind: first?.failure_kind ?? null,
      };
    }),
  };
}
