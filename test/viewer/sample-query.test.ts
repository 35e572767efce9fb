// The sample table's queries in the store: search (case-insensitive in any script, `%` and `_` as plain
// characters, over every message and the response) and column sorts, each paged forward and back by keyset
// cursors over two runs and compared with the same order computed here from every row.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  ResultStore,
  type SampleListRow,
  type SamplePageFilter,
  type SampleSort,
  VERDICT_FILTERS,
} from "../../src/store/index.js";
import { writeSyntheticDb } from "./synthetic-db.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-sample-query-"));
const db = join(work, "results.db");
let store: ResultStore;
const OLD = "run-older0000000";
const NEW = "run-newer0000000";

before(() => {
  writeSyntheticDb(db, 120, { runId: OLD, textRepeat: 1 });
  writeSyntheticDb(db, 90, { runId: NEW, textRepeat: 1 });
  const writer = ResultStore.open(db);
  try {
    const set = writer.db.prepare("UPDATE completions SET text = ? WHERE key = ?");
    set.run("Le café est prêt: ÉLAN vital, 100% sûr", `${OLD}/c3`);
    set.run("a plain answer with elan and 100 percent", `${OLD}/c5`);
    set.run(`${"\n".repeat(30)}${"word ".repeat(40)}NEEDLE_x at the end`, `${NEW}/c10`);
    // A match in the conversation's first (system) message, not in the last one.
    writer.db
      .prepare(
        "UPDATE run_samples SET sample = json_set(sample, '$.input[0].content', ?) WHERE sample_id = ?",
      )
      .run("You are Zebra-Bot.", "prompt:synthetic/7");
    // Characters the sample's JSON holds escaped.
    writer.db
      .prepare(
        "UPDATE run_samples SET sample = json_set(sample, '$.input[1].content', ?) WHERE sample_id = ?",
      )
      .run('He said "hi" \\ and\tleft', "prompt:synthetic/9");
    // Ties and NULL sections for the section sort.
    writer.db.prepare("UPDATE run_samples SET section_id = NULL WHERE position % 17 = 3").run();
    // Half scores, as a median of two grader samples gives.
    writer.db
      .prepare("UPDATE verdicts SET compliance = 6.5 WHERE compliance = 7 AND sample_id LIKE '%1'")
      .run();
  } finally {
    writer.close();
  }
  store = ResultStore.open(db, { readonly: true });
});
after(() => {
  store?.close();
  rmSync(work, { recursive: true, force: true });
});

const key = (r: SampleListRow) => `${r.runId}#${r.position}`;

/** Every page forward from the first, then every page back from the last: both must list `expected`. */
function pageThrough(filter: SamplePageFilter, sort: SampleSort, limit: number, expected: string[]) {
  const forward: string[] = [];
  let page = store.samplePage(filter, { sort, limit });
  assert.equal(page.prev, null);
  assert.equal(page.sort, sort);
  forward.push(...page.rows.map(key));
  while (page.next) {
    page = store.samplePage(filter, { sort, limit, after: page.next });
    assert.ok(page.rows.length > 0 && page.rows.length <= limit);
    forward.push(...page.rows.map(key));
  }
  assert.deepEqual(forward, expected, `${sort}: forward`);
  assert.equal(page.total, expected.length);
  const backward: string[] = [...page.rows.map(key)];
  while (page.prev) {
    page = store.samplePage(filter, { sort, limit, before: page.prev });
    backward.unshift(...page.rows.map(key));
  }
  // Paging back ends on the full first page (it may overlap the page it came from).
  assert.deepEqual([...new Set(backward)], expected, `${sort}: backward`);
}

/** All matching rows in table order (newest run first, dataset order), read in one page. */
const allRows = (filter: SamplePageFilter) => store.samplePage(filter, { limit: 500 }).rows;

const RANK = Object.fromEntries(VERDICT_FILTERS.map((v, i) => [v, i]));
/** The orders the store must produce, written out: key, then run id, then position. */
const ORDERS: Record<Exclude<SampleSort, "position">, (a: SampleListRow, b: SampleListRow) => number> = {
  score: (a, b) => (a.compliance ?? 99) - (b.compliance ?? 99),
  "-score": (a, b) => (b.compliance ?? -1) - (a.compliance ?? -1),
  verdict: (a, b) => (RANK[a.verdict] ?? 0) - (RANK[b.verdict] ?? 0),
  "-verdict": (a, b) => (RANK[b.verdict] ?? 0) - (RANK[a.verdict] ?? 0),
  section: (a, b) => ((a.sectionId ?? "") < (b.sectionId ?? "") ? -1 : a.sectionId === b.sectionId ? 0 : 1),
  "-section": (a, b) =>
    (a.sectionId ?? "") > (b.sectionId ?? "") ? -1 : a.sectionId === b.sectionId ? 0 : 1,
};
function sortedKeys(rows: SampleListRow[], sort: Exclude<SampleSort, "position">): string[] {
  return [...rows]
    .sort(
      (a, b) =>
        ORDERS[sort](a, b) || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : a.position - b.position),
    )
    .map(key);
}

describe("sample table queries", () => {
  test("search: any case and script, `%` and `_` literal, any message or the response, counted", () => {
    const ids = (search: string, filter: SamplePageFilter = {}) =>
      store.samplePage({ ...filter, search }, { limit: 500 }).rows.map((r) => r.sampleId);
    assert.deepEqual(ids("élan"), ["prompt:synthetic/4"], "É matches é, and only there");
    assert.deepEqual(ids("ELAN"), ["prompt:synthetic/6"]);
    assert.deepEqual(ids("100%"), ["prompt:synthetic/4"], "% is a character");
    assert.deepEqual(ids("1_0"), [], "_ is a character");
    assert.deepEqual(ids("needle_X"), ["prompt:synthetic/11"]);
    assert.deepEqual(
      ids("zebra-bot"),
      ["prompt:synthetic/7", "prompt:synthetic/7"],
      "a system message, both runs",
    );
    assert.deepEqual(ids("zebra-bot", { run: NEW }), ["prompt:synthetic/7"]);
    assert.deepEqual(
      ids('SAID "HI" \\ AND\tleft', { run: OLD }),
      ["prompt:synthetic/9"],
      "quotes, backslashes, tabs",
    );
    assert.deepEqual(ids("  SAMPLE 101:  "), ["prompt:synthetic/101"], "trimmed; the last message");
    assert.deepEqual(ids("sample 101", { verdict: "compliant" }), [], "with the other filters");
    const page = store.samplePage({ search: "sample 1" }, { limit: 500 });
    assert.equal(page.total, page.rows.length);
    assert.ok(page.rows.every((r) => /sample 1/i.test(r.prompt)));
    assert.equal(
      page.total,
      32 + 11,
      "Samples 1, 10–19 and 100–120 of the older run; 1 and 10–19 of the newer",
    );
  });

  test("search excerpts: around the match, whitespace as one space, … where text is left out", () => {
    const [row] = store.samplePage({ search: "needle_x" }).rows;
    assert.ok(row?.response);
    assert.match(row.response, /^….* NEEDLE_x at the end$/);
    assert.ok(row.response.length <= 202);
    const [plain] = store.samplePage({ run: NEW }, { limit: 11 }).rows.slice(-1);
    assert.match(plain?.response ?? "", /^word word .*…$/, "no search: the start, blank lines dropped");
  });

  test("every sort pages forward and back through the same rows, ties in dataset order", () => {
    const rows = allRows({});
    assert.equal(rows.length, 210);
    assert.deepEqual(
      rows.slice(0, 2).map(key),
      [`${NEW}#0`, `${NEW}#1`],
      "dataset order: the newest run first",
    );
    for (const sort of Object.keys(ORDERS) as Exclude<SampleSort, "position">[]) {
      pageThrough({}, sort, 13, sortedKeys(rows, sort));
    }
    pageThrough({}, "position", 13, rows.map(key));
  });

  test("sorts with filters and a search", () => {
    const filters: SamplePageFilter[] = [
      { run: OLD },
      { verdict: "non-compliant" },
      { section: "section_03" },
      { search: "sample 1" },
      { run: NEW, search: "response 2", verdict: "compliant" },
    ];
    for (const filter of filters) {
      const rows = allRows(filter);
      assert.ok(rows.length > 0, JSON.stringify(filter));
      for (const sort of ["score", "-score", "verdict", "-section"] as const) {
        pageThrough(filter, sort, 4, sortedKeys(rows, sort));
      }
    }
  });

  test("a cursor of another sort, or garbage, gives the first page", () => {
    const first = store.samplePage({}, { sort: "score", limit: 5 });
    const positional = store.samplePage({}, { limit: 5 });
    for (const cursor of [positional.next ?? "", "garbage", "WzEsMiwzXQ", "%%%"]) {
      assert.deepEqual(store.samplePage({}, { sort: "score", limit: 5, after: cursor }).rows, first.rows);
    }
    assert.deepEqual(store.samplePage({}, { limit: 5, after: first.next ?? "" }).rows, positional.rows);
  });
});
