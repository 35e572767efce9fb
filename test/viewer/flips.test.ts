// Compare's drill-down in the store: the samples graded in both runs and compliant in one only — the pairs
// the comparison counts — paged forward and back in run A's order, by direction and section, with both answers.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type FlipFilter, ResultStore } from "../../src/store/index.js";
import { writeSyntheticDb } from "./synthetic-db.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-flips-"));
const db = join(work, "results.db");
let store: ResultStore;
const A = "run-flips-a00000";
const B = "run-flips-b00000";

before(() => {
  writeSyntheticDb(db, 200, { runId: A, textRepeat: 1 });
  writeSyntheticDb(db, 200, { runId: B, textRepeat: 1 });
  const writer = ResultStore.open(db);
  try {
    // B turns every 6th graded sample around, and answers differently.
    writer.db
      .prepare(
        `UPDATE verdicts SET compliant = 1 - compliant, compliance = CASE compliant WHEN 1 THEN 3 ELSE 6 END
         WHERE run_id = ? AND status = 'graded' AND CAST(substr(sample_id, 18) AS INTEGER) % 6 = 0`,
      )
      .run(B);
    writer.db.prepare("UPDATE completions SET text = 'B says: ' || text WHERE key LIKE ?").run(`${B}/%`);
  } finally {
    writer.close();
  }
  store = ResultStore.open(db, { readonly: true });
});
after(() => {
  store?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The flips computed from the paired verdicts the comparison uses. */
function expected(filter: FlipFilter = {}): string[] {
  return store
    .pairedVerdicts(A, B)
    .filter((p) => p.a !== p.b)
    .filter((p) => !filter.only || (filter.only === "a" ? p.a : p.b))
    .filter((p) => !filter.section || p.sectionId === filter.section)
    .map((p) => p.sampleId);
}

test("every flip once, forward and back, with both answers and verdicts", () => {
  const all = expected();
  assert.ok(all.length > 20, `${all.length} flips`);
  const seen: string[] = [];
  let page = store.flippedSamples(A, B, {}, { limit: 7 });
  assert.equal(page.total, all.length);
  assert.equal(page.prev, null);
  seen.push(...page.rows.map((r) => r.sampleId));
  while (page.next) {
    page = store.flippedSamples(A, B, {}, { limit: 7, after: page.next });
    seen.push(...page.rows.map((r) => r.sampleId));
  }
  assert.deepEqual(seen, all);
  const back = [...page.rows.map((r) => r.sampleId)];
  while (page.prev) {
    page = store.flippedSamples(A, B, {}, { limit: 7, before: page.prev });
    back.unshift(...page.rows.map((r) => r.sampleId));
  }
  assert.deepEqual([...new Set(back)], all);
  const [first] = store.flippedSamples(A, B, {}, { limit: 1 }).rows;
  assert.ok(first);
  assert.notEqual(first.a.compliant, first.b.compliant);
  assert.match(first.b.response ?? "", /^B says: Response /);
  assert.match(first.a.response ?? "", /^Response /);
  assert.match(first.prompt, /^Sample \d+: /);
});

test("by direction and section", () => {
  for (const filter of [
    { only: "a" },
    { only: "b" },
    { section: "section_05" },
    { only: "b", section: "section_11" },
  ] as FlipFilter[]) {
    const page = store.flippedSamples(A, B, filter, { limit: 100 });
    assert.deepEqual(
      page.rows.map((r) => r.sampleId),
      expected(filter),
      JSON.stringify(filter),
    );
    assert.equal(page.total, expected(filter).length);
    if (filter.only) assert.ok(page.rows.every((r) => r.a.compliant === (filter.only === "a")));
  }
  assert.equal(store.flippedSamples(A, A).total, 0, "a run agrees with itself");
});
