/**
 * One prompt across runs: every run of the same dataset that has the sample id, with each epoch's answer and
 * verdict. Runs are read first (a small table) and each one's sample by its primary key, so the cost grows with
 * the number of runs, not of samples.
 */
import { type VerdictFilter, verdictName } from "./sample-pages.js";
import type { Sql } from "./sql.js";

export interface PromptAnswer {
  runId: string;
  sampleId: string;
  model: string;
  judge: string;
  createdAt: string;
  epoch: number;
  /** Whether the run's conversation for this id is the same as the asking run's (a dataset may change). */
  sameConversation: boolean;
  /** The whole response; null when none could be had (see `completionError`). */
  response: string | null;
  completionError: { kind: string; message: string | null } | null;
  verdict: VerdictFilter;
  /** Median judge score when graded. */
  compliance: number | null;
  errorKind: string | null;
  /** The failure kind most usable grader samples named (`mixed` on a tie); null when none did. */
  failureKind: string | null;
}

type Row = {
  run_id: string;
  model: string;
  judge: string;
  created_at: string;
  epoch: number;
  same_conversation: number;
  response: string | null;
  completion_error_kind: string | null;
  completion_error_message: string | null;
  status: string | null;
  compliance: number | null;
  compliant: number | null;
  error_kind: string | null;
  grade_keys: string | null;
};

/** The kind most of these grader samples named; `mixed` when two kinds tie. */
function majorityKind(kinds: string[]): string | null {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const top = Math.max(0, ...counts.values());
  const leaders = [...counts].filter(([, n]) => n === top).map(([kind]) => kind);
  return leaders.length === 0 ? null : leaders.length > 1 ? "mixed" : (leaders[0] as string);
}

/** The answers of every run of `runId`'s dataset to sample `sampleId`, newest run first; empty when it has none. */
export function promptAnswers(sql: Sql, runId: string, sampleId: string): PromptAnswer[] {
  const base = sql(
    `SELECT r.dataset, json_extract(s.sample, '$.input') AS input FROM runs r
     JOIN run_samples s ON s.run_id = r.id AND s.sample_id = ? WHERE r.id = ? ORDER BY s.epoch LIMIT 1`,
  ).get(sampleId, runId) as { dataset: string; input: string } | undefined;
  if (!base) return [];
  const rows = sql(
    `SELECT r.id AS run_id, r.model, r.judge, r.created_at, s.epoch,
       json_extract(s.sample, '$.input') = ? AS same_conversation,
       c.text AS response, s.error_kind AS completion_error_kind, s.error_message AS completion_error_message,
       v.status, v.compliance, v.compliant, v.error_kind, v.grade_keys
     FROM runs r CROSS JOIN run_samples s ON s.run_id = r.id AND s.sample_id = ?
     LEFT JOIN completions c ON c.key = s.completion_key
     LEFT JOIN verdicts v ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch
     WHERE r.dataset = ?
     ORDER BY r.created_at DESC, r.rowid DESC, s.epoch`,
  ).all(base.input, sampleId, base.dataset) as Row[];
  const grade = sql("SELECT status, failure_kind FROM grades WHERE key = ?");
  return rows.map((r) => {
    const kinds = (JSON.parse(r.grade_keys ?? "[]") as string[])
      .map((key) => grade.get(key) as { status: string; failure_kind: string | null } | undefined)
      .flatMap((g) =>
        g && g.status === "ok" && g.failure_kind && g.failure_kind !== "none" ? [g.failure_kind] : [],
      );
    return {
      runId: r.run_id,
      sampleId,
      model: r.model,
      judge: r.judge,
      createdAt: r.created_at,
      epoch: r.epoch,
      sameConversation: r.same_conversation === 1,
      response: r.response,
      completionError: r.completion_error_kind
        ? { kind: r.completion_error_kind, message: r.completion_error_message }
        : null,
      verdict: verdictName(r.status, r.compliant),
      compliance: r.compliance,
      errorKind: r.error_kind,
      failureKind: r.status === "graded" && r.compliant === 0 ? majorityKind(kinds) : null,
    };
  });
}
