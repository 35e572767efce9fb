/**
 * The samples two runs disagree on: graded in both (paired by sample id and epoch, as the comparison pairs
 * them) and compliant in one only, with both answers. Keyset-paged on run A's dataset order, like the sample
 * table: a page reads A's rows from the cursor on until it has found its flips.
 */
import { excerptOf, textWindow } from "./excerpt.js";
import type { Sql } from "./sql.js";

export interface FlipFilter {
  /** Only the samples compliant in this run (and not in the other). */
  only?: "a" | "b";
  /** Run A's section of the sample. */
  section?: string;
}

export interface FlipSide {
  compliant: boolean;
  /** Median judge score. */
  compliance: number | null;
  /** The whole response. */
  response: string | null;
}

export interface FlippedSample {
  sampleId: string;
  epoch: number;
  /** Position in run A. */
  position: number;
  sectionId: string | null;
  /** An excerpt of the last message (as run A asked it). */
  prompt: string;
  a: FlipSide;
  b: FlipSide;
}

export interface FlipPage {
  a: string;
  b: string;
  filter: FlipFilter;
  limit: number;
  /** Flips on every page. */
  total: number;
  rows: FlippedSample[];
  /** Cursors (run A positions) of the next and previous pages; null at either end. */
  next: string | null;
  prev: string | null;
}

const FROM = `FROM run_samples sa
  JOIN verdicts va ON va.run_id = sa.run_id AND va.sample_id = sa.sample_id AND va.epoch = sa.epoch
  JOIN verdicts vb ON vb.run_id = ? AND vb.sample_id = sa.sample_id AND vb.epoch = sa.epoch`;

function where(filter: FlipFilter): { sql: string; params: string[] } {
  const sql = [
    "sa.run_id = ?",
    "va.status = 'graded'",
    "vb.status = 'graded'",
    "va.compliant != vb.compliant",
  ];
  const params: string[] = [];
  if (filter.only) sql.push(`va.compliant = ${filter.only === "a" ? 1 : 0}`);
  if (filter.section) {
    sql.push("sa.section_id = ?");
    params.push(filter.section);
  }
  return { sql: sql.join(" AND "), params };
}

type Row = {
  sample_id: string;
  epoch: number;
  position: number;
  section_id: string | null;
  prompt: string | null;
  prompt_more: number | null;
  a_compliant: number;
  a_score: number | null;
  a_response: string | null;
  b_compliant: number;
  b_score: number | null;
  b_response: string | null;
};

export function flippedSamples(
  sql: Sql,
  runA: string,
  runB: string,
  filter: FlipFilter = {},
  options: { after?: string; before?: string; limit?: number } = {},
): FlipPage {
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 100);
  const w = where(filter);
  const total = (
    sql(`SELECT COUNT(*) AS n ${FROM} WHERE ${w.sql}`).get(runB, runA, ...w.params) as { n: number }
  ).n;
  const fetch = (cursor: number | null, backward: boolean, n: number) =>
    sql(
      `SELECT sa.sample_id, sa.epoch, sa.position, sa.section_id,
         ${textWindow("json_extract(sa.sample, '$.input[#-1].content')", 800, "prompt")},
         va.compliant AS a_compliant, va.compliance AS a_score, ca.text AS a_response,
         vb.compliant AS b_compliant, vb.compliance AS b_score, cb.text AS b_response
       ${FROM}
       JOIN run_samples sb ON sb.run_id = vb.run_id AND sb.sample_id = vb.sample_id AND sb.epoch = vb.epoch
       LEFT JOIN completions ca ON ca.key = sa.completion_key
       LEFT JOIN completions cb ON cb.key = sb.completion_key
       WHERE ${w.sql}${cursor === null ? "" : ` AND sa.position ${backward ? "<" : ">"} ?`}
       ORDER BY sa.position ${backward ? "DESC" : "ASC"} LIMIT ?`,
    ).all(runB, runA, ...w.params, ...(cursor === null ? [] : [cursor]), n) as Row[];
  const cursorOf = (text: string | undefined) => (text && /^\d+$/.test(text) ? Number(text) : null);
  const page = (rows: Row[], hasPrev: boolean, hasNext: boolean): FlipPage => ({
    a: runA,
    b: runB,
    filter,
    limit,
    total,
    rows: rows.map((r) => ({
      sampleId: r.sample_id,
      epoch: r.epoch,
      position: r.position,
      sectionId: r.section_id,
      prompt: excerptOf(r.prompt ?? "", r.prompt_more === 1, 400),
      a: { compliant: r.a_compliant === 1, compliance: r.a_score, response: r.a_response },
      b: { compliant: r.b_compliant === 1, compliance: r.b_score, response: r.b_response },
    })),
    next: hasNext && rows.length > 0 ? String(rows.at(-1)?.position) : null,
    prev: hasPrev && rows.length > 0 ? String(rows[0]?.position) : null,
  });
  const first = () => {
    const rows = fetch(null, false, limit + 1);
    return page(rows.slice(0, limit), false, rows.length > limit);
  };
  const before = cursorOf(options.before);
  if (before !== null) {
    const back = fetch(before, true, limit + 1);
    if (back.length <= limit) return first();
    return page(back.slice(0, limit).reverse(), true, true);
  }
  const after = cursorOf(options.after);
  if (after !== null) {
    const rows = fetch(after, false, limit + 1);
    return page(rows.slice(0, limit), true, rows.length > limit);
  }
  return first();
}
