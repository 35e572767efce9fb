/**
 * The sample table: filtered, keyset-paged on (run, position) with runs newest first and samples in dataset
 * order. A page reads `limit + 1` rows through the (run_id, position) or (run_id, section_id, position) index,
 * never the rows before it, so page 2 000 of a 100 000-sample run costs what page 1 does. Only short excerpts
 * are read here; a sample's details (grades, conversation) are read by `sampleDetail`.
 */
import { excerptOf, textWindow } from "./excerpt.js";
import { type Sql, VERDICT_JOIN } from "./sql.js";

export const VERDICT_FILTERS = ["compliant", "non-compliant", "ungraded", "error", "pending"] as const;
export type VerdictFilter = (typeof VERDICT_FILTERS)[number];

export const DEFAULT_PAGE_SIZE = 50;

export interface SamplePageFilter {
  run?: string;
  model?: string;
  section?: string;
  verdict?: VerdictFilter;
}

/** A position in the table: the run and the sample's position in it. */
interface SampleCursor {
  run: string;
  position: number;
}

export interface SampleListRow {
  runId: string;
  model: string;
  sampleId: string;
  epoch: number;
  position: number;
  sectionId: string | null;
  authority: string | null;
  verdict: VerdictFilter;
  /** Median judge score (1–7) when graded. */
  compliance: number | null;
  errorKind: string | null;
  /** An excerpt of the last message: whitespace runs as one space, `…` where text is left out. */
  prompt: string;
  /** An excerpt of the response, like `prompt`; null when there is none. */
  response: string | null;
}

export interface SamplePage {
  filter: SamplePageFilter;
  limit: number;
  /** Matching samples in all pages. */
  total: number;
  rows: SampleListRow[];
  /** Cursor of the next page (`after`), null on the last page. */
  next: string | null;
  /** Cursor of the previous page (`before`), null on the first page. */
  prev: string | null;
}

/** Characters an excerpt shows, and the window of text it is cut from. */
const EXCERPT = 200;
const WINDOW = 2 * EXCERPT;

function encodeCursor(c: SampleCursor): string {
  return `${c.position}@${c.run}`;
}

function decodeCursor(text: string | undefined): SampleCursor | null {
  if (!text) return null;
  const at = text.indexOf("@");
  const position = Number(text.slice(0, at));
  const run = text.slice(at + 1);
  if (at <= 0 || !Number.isSafeInteger(position) || run === "") return null;
  return { run, position };
}

export function isVerdictFilter(value: string | undefined): value is VerdictFilter {
  return (VERDICT_FILTERS as readonly string[]).includes(value ?? "");
}

const VERDICT_SQL: Record<VerdictFilter, string> = {
  compliant: "v.status = 'graded' AND v.compliant = 1",
  "non-compliant": "v.status = 'graded' AND v.compliant = 0",
  ungraded: "v.status = 'ungraded'",
  error: "v.status = 'error'",
  pending: "v.status IS NULL",
};

/** The runs the filter spans, in table order: newest first, as on the runs page. */
function runsOf(sql: Sql, filter: SamplePageFilter): { id: string; model: string }[] {
  const clauses: string[] = [];
  const params: string[] = [];
  if (filter.run) {
    clauses.push("id = ?");
    params.push(filter.run);
  }
  if (filter.model) {
    clauses.push("model = ?");
    params.push(filter.model);
  }
  return sql(
    `SELECT id, model FROM runs ${clauses.length ? `WHERE ${clauses.join(" AND ")}` : ""}
       ORDER BY created_at DESC, rowid DESC`,
  ).all(...params) as { id: string; model: string }[];
}

/** Conditions on one run's samples (section, verdict); `s.run_id = ?` always comes first. */
function conditions(filter: SamplePageFilter): { sql: string; params: string[] } {
  const sql = ["s.run_id = ?"];
  const params: string[] = [];
  if (filter.section) {
    sql.push("s.section_id = ?");
    params.push(filter.section);
  }
  if (filter.verdict) sql.push(VERDICT_SQL[filter.verdict]);
  return { sql: sql.join(" AND "), params };
}

/** Matching samples in all pages: an index count per run (verdicts joined only when the filter needs them). */
function countSamples(sql: Sql, filter: SamplePageFilter): number {
  const c = conditions(filter);
  // A verdict filter alone is counted on the verdicts table (every verdict has its sample row).
  const verdictsOnly = filter.verdict && filter.verdict !== "pending" && !filter.section;
  const statement = sql(
    verdictsOnly
      ? `SELECT COUNT(*) AS n FROM verdicts v WHERE v.run_id = ? AND ${VERDICT_SQL[filter.verdict as VerdictFilter]}`
      : `SELECT COUNT(*) AS n FROM run_samples s ${filter.verdict ? VERDICT_JOIN : ""} WHERE ${c.sql}`,
  );
  let n = 0;
  for (const run of runsOf(sql, filter)) n += (statement.get(run.id, ...c.params) as { n: number }).n;
  return n;
}

type Row = {
  run_id: string;
  sample_id: string;
  epoch: number;
  position: number;
  section_id: string | null;
  authority: string | null;
  status: string | null;
  compliance: number | null;
  compliant: number | null;
  error_kind: string | null;
  prompt: string | null;
  prompt_more: number | null;
  response: string | null;
  response_more: number | null;
};

function verdictOf(r: Row): VerdictFilter {
  if (r.status === "graded") return r.compliant === 1 ? "compliant" : "non-compliant";
  if (r.status === "ungraded" || r.status === "error") return r.status;
  return "pending";
}

function toRow(r: Row, model: string): SampleListRow {
  return {
    runId: r.run_id,
    model,
    sampleId: r.sample_id,
    epoch: r.epoch,
    position: r.position,
    sectionId: r.section_id,
    authority: r.authority,
    verdict: verdictOf(r),
    compliance: r.compliance,
    errorKind: r.error_kind,
    prompt: excerptOf(r.prompt ?? "", r.prompt_more === 1, EXCERPT),
    response: r.response === null ? null : excerptOf(r.response, r.response_more === 1, EXCERPT),
  };
}

/**
 * Up to `limit` rows strictly after (`direction` 1) or before (-1) the cursor, in table order. Runs are visited
 * one at a time, each with an index seek on (run_id[, section_id], position) and a LIMIT of what the page
 * still needs, so the rows read are the page's rows and no more.
 */
function fetchRows(
  sql: Sql,
  runs: { id: string }[],
  filter: SamplePageFilter,
  cursor: SampleCursor | null,
  direction: 1 | -1,
  limit: number,
): Row[] {
  const c = conditions(filter);
  const op = direction === 1 ? ">" : "<";
  const order = direction === 1 ? "ASC" : "DESC";
  const prepare = (withCursor: boolean) =>
    sql(
      `SELECT s.run_id, s.sample_id, s.epoch, s.position, s.section_id, s.authority,
         v.status, v.compliance, v.compliant, COALESCE(v.error_kind, s.error_kind) AS error_kind,
         ${textWindow("json_extract(s.sample, '$.input[#-1].content')", WINDOW, "prompt")},
         ${textWindow("c.text", WINDOW, "response")}
       FROM run_samples s
       ${VERDICT_JOIN}
       LEFT JOIN completions c ON c.key = s.completion_key
       WHERE ${c.sql}${withCursor ? ` AND s.position ${op} ?` : ""}
       ORDER BY s.position ${order}
       LIMIT ?`,
    );
  const fromCursor = prepare(true);
  const fromStart = prepare(false);
  let index = cursor ? runs.findIndex((r) => r.id === cursor.run) : direction === 1 ? 0 : runs.length - 1;
  if (index < 0) return [];
  const rows: Row[] = [];
  let first = cursor !== null;
  for (; index >= 0 && index < runs.length && rows.length < limit; index += direction) {
    const run = runs[index] as { id: string };
    const found = first
      ? (fromCursor.all(run.id, ...c.params, (cursor as SampleCursor).position, limit - rows.length) as Row[])
      : (fromStart.all(run.id, ...c.params, limit - rows.length) as Row[]);
    rows.push(...found);
    first = false;
  }
  return rows;
}

/**
 * One page of samples. `after` pages forward from a cursor, `before` pages back; without either (or with a
 * cursor that names no run of the filter), the first page. One extra row is read to know whether another
 * page follows.
 */
export function samplePage(
  sql: Sql,
  filter: SamplePageFilter,
  options: { after?: string; before?: string; limit?: number } = {},
): SamplePage {
  const limit = Math.min(Math.max(options.limit ?? DEFAULT_PAGE_SIZE, 1), 500);
  const runs = runsOf(sql, filter);
  const models = new Map(runs.map((r) => [r.id, r.model]));
  const page = (rows: Row[], hasPrev: boolean, hasNext: boolean): SamplePage => {
    const first = rows[0];
    const last = rows.at(-1);
    return {
      filter,
      limit,
      total: countSamples(sql, filter),
      rows: rows.map((r) => toRow(r, models.get(r.run_id) ?? "")),
      next: hasNext && last ? encodeCursor({ run: last.run_id, position: last.position }) : null,
      prev: hasPrev && first ? encodeCursor({ run: first.run_id, position: first.position }) : null,
    };
  };
  const firstPage = () => {
    const rows = fetchRows(sql, runs, filter, null, 1, limit + 1);
    return page(rows.slice(0, limit), false, rows.length > limit);
  };
  const before = decodeCursor(options.before);
  if (before && models.has(before.run)) {
    const back = fetchRows(sql, runs, filter, before, -1, limit + 1);
    // Reached the start: show the (full) first page rather than a short one.
    if (back.length <= limit) return firstPage();
    return page(back.slice(0, limit).reverse(), true, true);
  }
  const after = decodeCursor(options.after);
  if (after && models.has(after.run)) {
    const rows = fetchRows(sql, runs, filter, after, 1, limit + 1);
    return page(rows.slice(0, limit), true, rows.length > limit);
  }
  return firstPage();
}

/** Section ids present in the samples (of one run, or all), for the filter. */
export function sampleSections(sql: Sql, run?: string): string[] {
  const rows = (
    run
      ? sql(
          "SELECT DISTINCT section_id AS id FROM run_samples WHERE run_id = ? AND section_id IS NOT NULL ORDER BY 1",
        ).all(run)
      : sql("SELECT DISTINCT section_id AS id FROM run_samples WHERE section_id IS NOT NULL ORDER BY 1").all()
  ) as { id: string }[];
  return rows.map((r) => r.id);
}
