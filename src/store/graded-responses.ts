/**
 * The graded responses of some runs, read for preference pairs: every sample with a completion and a graded
 * verdict (errors and ungraded samples never), ordered by sample id so that one prompt's responses across the
 * runs, models and epochs come together. Keyset-paged: a run of 100 000 samples is never loaded at once.
 */
import type { Message } from "../conversation/index.js";
import type { Sql } from "./sql.js";

export interface GradedResponse {
  runId: string;
  sampleId: string;
  epoch: number;
  /** The conversation the response answers, as the run stored it (app prompts included). */
  input: Message[];
  sectionId: string | null;
  response: string;
  /** Median compliance of the usable grader samples (1–7, a half for an even count). */
  compliance: number;
  /** At or above the run's threshold. */
  compliant: boolean;
}

type Row = {
  run_id: string;
  sample_id: string;
  epoch: number;
  input: string;
  section_id: string | null;
  response: string;
  compliance: number;
  compliant: number;
};

/** One run's graded responses by sample id and epoch, a page at a time along its primary key. */
function* runResponses(sql: Sql, runId: string, pageSize: number): Generator<GradedResponse> {
  const page = sql(
    `SELECT s.run_id, s.sample_id, s.epoch, json_extract(s.sample, '$.input') AS input, s.section_id,
       c.text AS response, v.compliance, v.compliant
     FROM run_samples s
     JOIN verdicts v ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch
     JOIN completions c ON c.key = s.completion_key
     WHERE s.run_id = ? AND (s.sample_id, s.epoch) > (?, ?) AND v.status = 'graded' AND v.compliance IS NOT NULL
     ORDER BY s.sample_id, s.epoch LIMIT ?`,
  );
  let after: [string, number] = ["", -1];
  for (;;) {
    const rows = page.all(runId, ...after, pageSize) as Row[];
    for (const r of rows) {
      yield {
        runId: r.run_id,
        sampleId: r.sample_id,
        epoch: r.epoch,
        input: JSON.parse(r.input) as Message[],
        sectionId: r.section_id,
        response: r.response,
        compliance: r.compliance,
        compliant: r.compliant === 1,
      };
    }
    if (rows.length < pageSize) return;
    const last = rows.at(-1) as Row;
    after = [last.sample_id, last.epoch];
  }
}

/** Sample ids in SQLite's order (BINARY: the bytes of their UTF-8), which is not JavaScript's for every text. */
const bySampleId = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The graded responses of `runIds`, by sample id, then in the order of the runs given, then by epoch. Each run is
 * read along its primary key and the runs are merged here, so no query sorts the runs' rows together.
 */
export function* gradedResponses(
  sql: Sql,
  runIds: readonly string[],
  pageSize = 500,
): Generator<GradedResponse> {
  const heads = runIds.map((runId) => {
    const rows = runResponses(sql, runId, pageSize);
    return { rows, next: rows.next() };
  });
  for (;;) {
    let first: (typeof heads)[number] | undefined;
    for (const head of heads) {
      if (head.next.done) continue;
      if (!first || bySampleId(head.next.value.sampleId, (first.next.value as GradedResponse).sampleId) < 0)
        first = head;
    }
    if (!first || first.next.done) return;
    yield first.next.value;
    first.next = first.rows.next();
  }
}
