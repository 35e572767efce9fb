/**
 * What the store keeps, as TypeScript records, and how a database row becomes one. Only the store reads rows;
 * everything above it sees these records.
 */
import type { Sample } from "../dataset/index.js";
import type { Grade, Helpfulness, Severity } from "../judge/index.js";

export type RunStatus = "running" | "completed" | "interrupted";

/** A run as stored. `params` is the run's configuration as JSON; the application layer decodes it. */
export interface StoredRun {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  status: RunStatus;
  toolVersion: string;
  specVersion: string | null;
  specHash: string;
  dataset: string;
  model: string;
  judge: string;
  parentRunId: string | null;
  params: unknown;
  /** When the process running it last said it was alive; null when none did yet. */
  heartbeatAt: string | null;
  /** A name people gave the run (untrusted text: escape it where it is shown); not part of its id. */
  label: string | null;
}

export interface CompletionRecord {
  key: string;
  provider: string;
  text: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number | null;
  finishReason: string | null;
  refusal: string | null;
}

/** One grader sample as stored: the judge's grade, under its content key, with the tokens it cost. */
export interface GradeRecord extends Grade {
  key: string;
  judge: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number | null;
}

export interface VerdictRecord {
  status: "graded" | "ungraded" | "error";
  compliance: number | null;
  compliant: boolean | null;
  gradeKeys: string[];
  /**
   * Grader samples drawn (the length of `gradeKeys`): fewer than the run's `graderSamples` when early stopping
   * settled the verdict first; the median score is over these.
   */
  drawn: number;
  /** Grader samples with a usable answer; null for an error (and for verdicts stored before it was kept). */
  usableGrades: number | null;
  errorKind: string | null;
  errorMessage: string | null;
  /**
   * Safe-completion runs' graded verdicts only (absent elsewhere, so compliance runs read and export as before):
   * the grader samples' aggregated severity and helpfulness, and their reward (`safeCompletionReward`).
   */
  severity?: Severity;
  helpfulness?: Helpfulness;
  reward?: number;
}

export interface RunSampleRow {
  sampleId: string;
  epoch: number;
  position: number;
  sample: Sample;
  completionKey: string | null;
  errorKind: string | null;
  errorMessage: string | null;
}

export interface RunResultRow extends RunSampleRow {
  completion: {
    text: string;
    inputTokens: number;
    outputTokens: number;
    finishReason: string | null;
    refusal: string | null;
  } | null;
  verdict: VerdictRecord | null;
  grades: GradeRecord[];
}

export type Row = Record<string, unknown>;

const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

export function toRun(row: Row): StoredRun {
  return {
    id: String(row.id),
    createdAt: String(row.created_at),
    finishedAt: text(row.finished_at),
    status: row.status as RunStatus,
    toolVersion: String(row.tool_version),
    specVersion: text(row.spec_version),
    specHash: String(row.spec_hash),
    dataset: String(row.dataset),
    model: String(row.model),
    judge: String(row.judge),
    parentRunId: text(row.parent_run_id),
    params: JSON.parse(String(row.params)) as unknown,
    heartbeatAt: text(row.heartbeat_at),
    label: text(row.label),
  };
}

export function toRunSample(row: Row): RunSampleRow {
  return {
    sampleId: String(row.sample_id),
    epoch: Number(row.epoch),
    position: Number(row.position),
    sample: JSON.parse(String(row.sample)) as Sample,
    completionKey: text(row.completion_key),
    errorKind: text(row.error_kind),
    errorMessage: text(row.error_message),
  };
}

export function toCompletion(row: Row): CompletionRecord {
  return {
    key: String(row.key),
    provider: String(row.provider),
    text: String(row.text),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedTokens: row.cached_tokens === null ? null : Number(row.cached_tokens),
    finishReason: text(row.finish_reason),
    refusal: text(row.refusal),
  };
}

export function toGrade(row: Row): GradeRecord {
  return {
    key: String(row.key),
    judge: String(row.judge),
    status: row.status as GradeRecord["status"],
    compliance: row.compliance === null ? null : Number(row.compliance),
    rationale: text(row.rationale),
    reliedOn: JSON.parse(String(row.relied_on ?? "[]")) as string[],
    failureKind: text(row.failure_kind),
    severity: (text(row.severity) as Severity | null) ?? null,
    helpfulness: (text(row.helpfulness) as Helpfulness | null) ?? null,
    raw: String(row.raw),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedTokens: row.cached_tokens === null ? null : Number(row.cached_tokens),
  };
}

/** A verdict row's columns (prefixed as the query names them) as a record; null when the sample has none. */
export function toVerdict(row: Row, prefix = ""): VerdictRecord | null {
  const status = row[`${prefix}status`];
  if (status === null || status === undefined) return null;
  const gradeKeys = row.grade_keys ? (JSON.parse(String(row.grade_keys)) as string[]) : [];
  return {
    status: status as VerdictRecord["status"],
    compliance: row.compliance === null ? null : Number(row.compliance),
    compliant: row.compliant === null ? null : row.compliant === 1,
    gradeKeys,
    drawn: gradeKeys.length,
    usableGrades:
      row.usable_grades === null || row.usable_grades === undefined ? null : Number(row.usable_grades),
    errorKind: text(row[`${prefix}error_kind`]),
    errorMessage: text(row[`${prefix}error_message`]),
    ...safeCompletionOf(row, prefix),
  };
}

/** A verdict row's safe-completion columns, when it has them (a graded verdict of a safe-completion run). */
function safeCompletionOf(
  row: Row,
  prefix: string,
): Pick<VerdictRecord, "severity" | "helpfulness" | "reward"> {
  const reward = row[`${prefix}reward`];
  if (reward === null || reward === undefined) return {};
  return {
    severity: String(row[`${prefix}severity`]) as Severity,
    helpfulness: String(row[`${prefix}helpfulness`]) as Helpfulness,
    reward: Number(reward),
  };
}
