/**
 * The sample table: filtered, searched, sorted and keyset-paged. In dataset order (the default) with runs newest
 * first, a page reads `limit + 1` rows through the (run_id, position) or (run_id, section_id, position) index,
 * never the rows before it, so page 2 000 of a 100 000-sample run costs what page 1 does. Sorted by a column, a
 * page is the `limit + 1` rows after the cursor's (key, run, position): one pass over the runs' rows keeping the
 * smallest keys, the same cost on every page. A search reads each row's conversation and response until the page
 * is full (and all of them to count). Only excerpts are read here; a sample's details are read by `sampleDetail`.
 */
import { excerptOf, textWindow } from "./excerpt.js";
import { SEARCH_CONDITION, searchNeedle, searchParams } from "./search.js";
import { type Sql, VERDICT_JOIN } from "./sql.js";

export const VERDICT_FILTERS = ["compliant", "non-compliant", "ungraded", "error", "pending"] as const;
export type VerdictFilter = (typeof VERDICT_FILTERS)[number];

/** Orders of the table: dataset order, or by a column (`-`: descending). Ties keep dataset order. */
const SAMPLE_SORTS = ["position", "score", "-score", "verdict", "-verdict", "section", "-section"] as const;
export type SampleSort = (typeof SAMPLE_SORTS)[number];

export const DEFAULT_PAGE_SIZE = 50;

export interface SamplePageFilter {
  run?: string;
  model?: string;
  section?: string;
  verdict?: VerdictFilter;
  /** Text that the response or any message of the conversation contains, in any case; no wildcards. */
  search?: string;
}

export interface SamplePageOptions {
  /** The cursor of the page before (`next` of a page) or after (`prev`) the one wanted. */
  after?: string;
  before?: string;
  /** Rows a page, 1–500 (default 50). */
  limit?: number;
  sort?: SampleSort;
}

/** A position in the table: the run, the sample's position in it, and its sort key in a sorted table. */
interface SampleCursor {
  run: string;
  position: number;
  key?: number | string;
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
  sort: SampleSort;
  limit: number;
  /** Matching samples in all pages. */
  total: number;
  rows: SampleListRow[];
  /** Cursor of the next page (`after`), null on the last page. */
  next: string | null;
  /** Cursor of the previous page (`before`), null on the first page. */
  prev: string | null;
}

/** Characters an excerpt shows, and the window of text it is cut from (when searching: where to find the match). */
const EXCERPT = 200;
const WINDOW = 2 * EXCERPT;
const SEARCH_WINDOW = 20_000;

/** In dataset order `position@run`; sorted, the key too (base64url JSON: a section id may hold any character). */
function encodeCursor(c: SampleCursor, sorted: boolean): string {
  if (!sorted) return `${c.position}@${c.run}`;
  return Buffer.from(JSON.stringify([c.key, c.run, c.position])).toString("base64url");
}

function decodeCursor(text: string | undefined, sorted: boolean): SampleCursor | null {
  if (!text) return null;
  if (sorted) {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    } catch {
      return null;
    }
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [key, run, position] = value as unknown[];
    if (typeof key !== "number" && typeof key !== "string") return null;
    if (typeof run !== "string" || !Number.isSafeInteger(position)) return null;
    return { key, run, position: position as number };
  }
  const at = text.indexOf("@");
  const position = Number(text.slice(0, at));
  const run = text.slice(at + 1);
  if (at <= 0 || !Number.isSafeInteger(position) || run === "") return null;
  return { run, position };
}

export function isSampleSort(value: string | undefined): value is SampleSort {
  return (SAMPLE_SORTS as readonly string[]).includes(value ?? "");
}

/** A verdict's place when sorting by verdict: the order of VERDICT_FILTERS. */
const VERDICT_RANK = `CASE WHEN v.status IS NULL THEN 4 WHEN v.status = 'graded' THEN 1 - v.compliant
  WHEN v.status = 'ungraded' THEN 2 ELSE 3 END`;

/**
 * Each column sort: its key (never NULL, so keyset comparisons hold), direction, and whether it reads verdicts.
 * A key on verdicts reads every sample row of the run to pair it with its verdict (~0.4 s at 100 000 samples);
 * the section key is read from the (run_id, section_id, position) index alone.
 */
const SORT_KEYS: Record<
  Exclude<SampleSort, "position">,
  { key: string; desc: boolean; verdicts: boolean }
> = {
  // Samples without a score (ungraded, errors, pending) come last either way.
  score: { key: "COALESCE(v.compliance, 99)", desc: false, verdicts: true },
  "-score": { key: "COALESCE(v.compliance, -1)", desc: true, verdicts: true },
  verdict: { key: VERDICT_RANK, desc: false, verdicts: true },
  "-verdict": { key: VERDICT_RANK, desc: true, verdicts: true },
  section: { key: "COALESCE(s.section_id, '')", desc: false, verdicts: false },
  "-section": { key: "COALESCE(s.section_id, '')", desc: true, verdicts: false },
};

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

const COMPLETION_JOIN = "LEFT JOIN completions c ON c.key = s.completion_key";

/**
 * Conditions on a sample row `s` beyond its run (section, verdict, search), with their parameters and the joins
 * they need (verdicts `v`, completions `c`).
 */
function conditions(filter: SamplePageFilter): { sql: string; params: string[]; joins: string } {
  const sql = ["1"];
  const params: string[] = [];
  if (filter.section) {
    sql.push("s.section_id = ?");
    params.push(filter.section);
  }
  if (filter.verdict) sql.push(VERDICT_SQL[filter.verdict]);
  const needle = searchNeedle(filter.search);
  if (needle) {
    sql.push(SEARCH_CONDITION);
    params.push(...searchParams(needle));
  }
  const joins = `${filter.verdict ? VERDICT_JOIN : ""} ${needle ? COMPLETION_JOIN : ""}`;
  return { sql: sql.join(" AND "), params, joins };
}

/** Matching samples in all pages: an index count per run (tables joined only when the filter needs them). */
function countSamples(sql: Sql, runs: { id: string }[], filter: SamplePageFilter): number {
  const c = conditions(filter);
  // A verdict filter alone is counted on the verdicts table (every verdict has its sample row).
  const verdictsOnly =
    filter.verdict && filter.verdict !== "pending" && !filter.section && !searchNeedle(filter.search);
  const statement = sql(
    verdictsOnly
      ? `SELECT COUNT(*) AS n FROM verdicts v WHERE v.run_id = ? AND ${VERDICT_SQL[filter.verdict as VerdictFilter]}`
      : `SELECT COUNT(*) AS n FROM run_samples s ${c.joins} WHERE s.run_id = ? AND ${c.sql}`,
  );
  let n = 0;
  for (const run of runs) {
    n += (statement.get(run.id, ...c.params) as { n: number }).n;
  }
  return n;
}

type Row = {
  sort_key: number | string;
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

/** A verdict's status and compliant flag as one word; no verdict yet: pending. */
export function verdictName(status: string | null, compliant: number | null): VerdictFilter {
  if (status === "graded") return compliant === 1 ? "compliant" : "non-compliant";
  if (status === "ungraded" || status === "error") return status;
  return "pending";
}

function toRow(r: Row, model: string, needle: string | null): SampleListRow {
  return {
    runId: r.run_id,
    model,
    sampleId: r.sample_id,
    epoch: r.epoch,
    position: r.position,
    sectionId: r.section_id,
    authority: r.authority,
    verdict: verdictName(r.status, r.compliant),
    compliance: r.compliance,
    errorKind: r.error_kind,
    prompt: excerptOf(r.prompt ?? "", r.prompt_more === 1, EXCERPT, needle ?? undefined),
    response:
      r.response === null ? null : excerptOf(r.response, r.response_more === 1, EXCERPT, needle ?? undefined),
  };
}

/** What a page shows of each row, from `s` joined to `v` and `c`; a search reads a larger window to find its match. */
function rowColumns(search: boolean): string {
  const window = search ? SEARCH_WINDOW : WINDOW;
  return `s.run_id, s.sample_id, s.epoch, s.position, s.section_id, s.authority,
    v.status, v.compliance, v.compliant, COALESCE(v.error_kind, s.error_kind) AS error_kind,
    ${textWindow("json_extract(s.sample, '$.input[#-1].content')", window, "prompt")},
    ${textWindow("c.text", window, "response")}`;
}

/**
 * Up to `limit` rows strictly after (`direction` 1) or before (-1) the cursor, in dataset order. Runs are visited
 * one at a time, each with an index seek on (run_id[, section_id], position) and a LIMIT of what the page
 * still needs, so the rows read are the page's rows and no more (a search reads on until it has them).
 */
function fetchInOrder(
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
      `SELECT s.position AS sort_key, ${rowColumns(Boolean(searchNeedle(filter.search)))}
       FROM run_samples s
       ${VERDICT_JOIN}
       ${COMPLETION_JOIN}
       WHERE s.run_id = ? AND ${c.sql}${withCursor ? ` AND s.position ${op} ?` : ""}
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
 * Up to `limit` rows strictly after (or, `backward`, before) the cursor in the order of a column sort: key, then
 * run id, then position (unique together). The page's rows are chosen on their keys alone; what they show is
 * read for those rows only.
 */
function fetchSorted(
  sql: Sql,
  runs: { id: string }[],
  filter: SamplePageFilter,
  sort: Exclude<SampleSort, "position">,
  cursor: SampleCursor | null,
  backward: boolean,
  limit: number,
): Row[] {
  const c = conditions(filter);
  const { key, desc, verdicts } = SORT_KEYS[sort];
  const down = desc !== backward;
  const tie = backward ? "DESC" : "ASC";
  const order = (k: string, run: string, position: string) =>
    `${k} ${down ? "DESC" : "ASC"}, ${run} ${tie}, ${position} ${tie}`;
  const after = cursor
    ? `AND (${key} ${down ? "<" : ">"} ? OR (${key} = ? AND (s.run_id, s.position) ${backward ? "<" : ">"} (?, ?)))`
    : "";
  const statement = sql(
    `WITH page AS (
       SELECT s.run_id, s.position, ${key} AS sort_key
       FROM run_samples s
       ${verdicts && !filter.verdict ? VERDICT_JOIN : ""}
       ${c.joins}
       WHERE s.run_id IN (SELECT value FROM json_each(?)) AND ${c.sql} ${after}
       ORDER BY ${order(key, "s.run_id", "s.position")}
       LIMIT ?
     )
     SELECT page.sort_key, ${rowColumns(Boolean(searchNeedle(filter.search)))}
     FROM page
     JOIN run_samples s ON s.run_id = page.run_id AND s.position = page.position
     ${VERDICT_JOIN}
     ${COMPLETION_JOIN}
     ORDER BY ${order("page.sort_key", "page.run_id", "page.position")}`,
  );
  const runIds = JSON.stringify(runs.map((r) => r.id));
  const keyset = cursor ? [cursor.key, cursor.key, cursor.run, cursor.position] : [];
  return statement.all(runIds, ...c.params, ...keyset, limit) as Row[];
}

/**
 * One page of samples. `after` pages forward from a cursor, `before` pages back; without either (or with a
 * cursor that names no run of the filter, or belongs to another sort), the first page. One extra row is read to
 * know whether another page follows.
 */
export function samplePage(sql: Sql, filter: SamplePageFilter, options: SamplePageOptions = {}): SamplePage {
  const limit = Math.min(Math.max(options.limit ?? DEFAULT_PAGE_SIZE, 1), 500);
  const sort = options.sort ?? "position";
  const sorted = sort !== "position";
  const runs = runsOf(sql, filter);
  const models = new Map(runs.map((r) => [r.id, r.model]));
  const needle = searchNeedle(filter.search);
  const fetch = (cursor: SampleCursor | null, backward: boolean, n: number) =>
    sort === "position"
      ? fetchInOrder(sql, runs, filter, cursor, backward ? -1 : 1, n)
      : fetchSorted(sql, runs, filter, sort, cursor, backward, n);
  const cursorOf = (r: Row) => encodeCursor({ run: r.run_id, position: r.position, key: r.sort_key }, sorted);
  const page = (rows: Row[], hasPrev: boolean, hasNext: boolean): SamplePage => {
    const first = rows[0];
    const last = rows.at(-1);
    return {
      filter,
      sort,
      limit,
      // A first page that is also the last holds every match: no need to count them again.
      total: !hasPrev && !hasNext ? rows.length : countSamples(sql, runs, filter),
      rows: rows.map((r) => toRow(r, models.get(r.run_id) ?? "", needle)),
      next: hasNext && last ? cursorOf(last) : null,
      prev: hasPrev && first ? cursorOf(first) : null,
    };
  };
  const firstPage = () => {
    const rows = fetch(null, false, limit + 1);
    return page(rows.slice(0, limit), false, rows.length > limit);
  };
  const before = decodeCursor(options.before, sorted);
  if (before && models.has(before.run)) {
    const back = fetch(before, true, limit + 1);
    // Reached the start: show the (full) first page rather than a short one.
    if (back.length <= limit) return firstPage();
    return page(back.slice(0, limit).reverse(), true, true);
  }
  const after = decodeCursor(options.after, sorted);
  if (after && models.has(after.run)) {
    const rows = fetch(after, false, limit + 1);
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
