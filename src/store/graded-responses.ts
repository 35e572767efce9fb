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

/** The graded responses of `runIds`, by sample id, then run id and epoch, `pageSize` rows per query. */
export function* gradedResponses(
  sql: Sql,
  runIds: readonly string[],
  pageSize = 500,
): Generator<GradedResponse> {
  const page = sql(
    `SELECT s.run_id, s.sample_id, s.epoch, json_extract(s.sample, '$.input') AS input, s.section_id,
       c.text AS response, v.compliance, v.compliant
     FROM run_samples s
     JOIN verdicts v ON v.run_id = s.run_id AND v.sample_id = s.sample_id AND v.epoch = s.epoch
     JOIN completions c ON c.key = s.completion_key
     WHERE s.run_id IN (SELECT value FROM json_each(?)) AND v.status = 'graded' AND v.compliance IS NOT NULL
       AND (s.sample_id, s.run_id, s.epoch) > (?, ?, ?)
     ORDER BY s.sample_id, s.run_id, s.epoch LIMIT ?`,
  );
  const runs = JSON.stringify(runIds);
  let after: [string, string, number] = ["", "", -1];
  for (;;) {
    const rows = page.all(runs, ...after, pageSize) as Row[];
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
    after = [last.sample_id, last.run_id, last.epoch];
  }
}
