// A run's score histogram and failure breakdown in the store: graded samples by median score (half scores
// kept apart), non-compliant ones by the failure kind most of their usable grader samples named, errors and
// ungraded samples by reason; for the whole run and for one section.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ResultStore } from "../../src/store/index.js";
import { writeSyntheticDb } from "./synthetic-db.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-breakdown-"));
const db = join(work, "results.db");
let store: ResultStore;
let runId: string;
let verdicts: Record<string, number>;

/** Grader samples per sample id: [status, failure kind]. */
const GRADES: Record<string, [string, string | null][]> = {
  "prompt:synthetic/1": [
    ["ok", "too-permissive"],
    ["ok", "too-permissive"],
  ],
  "prompt:synthetic/5": [
    ["ok", "over-refusal"],
    ["ok", "too-permissive"],
  ],
  "prompt:synthetic/13": [
    ["ok", "none"],
    ["refused", "over-refusal"],
  ],
  "prompt:synthetic/17": [
    ["ok", "other"],
    ["unparseable", "over-refusal"],
    ["ok", "over-refusal"],
    ["ok", "other"],
  ],
};

before(() => {
  ({ runId, verdicts } = writeSyntheticDb(db, 100, { textRepeat: 1 }));
  const writer = ResultStore.open(db);
  try {
    for (const [sampleId, grades] of Object.entries(GRADES)) {
      const keys = grades.map(([status, kind], i) => {
        const key = `${sampleId}#${i}`;
        writer.putGrade({
          key,
          judge: "openai:synthetic-judge",
          status: status as "ok",
          compliance: status === "ok" ? 2 : null,
          rationale: null,
          reliedOn: [],
          failureKind: kind as "other",
          severity: null,
          helpfulness: null,
          raw: "{}",
          inputTokens: 1,
          outputTokens: 1,
          cachedTokens: null,
        });
        return key;
      });
      writer.db
        .prepare("UPDATE verdicts SET grade_keys = ? WHERE run_id = ? AND sample_id = ?")
        .run(JSON.stringify(keys), runId, sampleId);
    }
    // A median of two grader samples between two scores.
    writer.db.prepare("UPDATE verdicts SET compliance = 6.5 WHERE sample_id = 'prompt:synthetic/2'").run();
  } finally {
    writer.close();
  }
  store = ResultStore.open(db, { readonly: true });
});
after(() => {
  store?.close();
  rmSync(work, { recursive: true, force: true });
});

test("the run: scores with half scores apart, failure kinds by majority, reasons", () => {
  const b = store.scoreBreakdown(runId);
  assert.equal(b.section, null);
  const nonCompliant = verdicts["non-compliant"] ?? 0;
  const compliant = verdicts.compliant ?? 0;
  assert.deepEqual(b.scores, [
    { score: 2, compliant: 0, nonCompliant },
    { score: 6.5, compliant: 1, nonCompliant: 0 },
    { score: 7, compliant: compliant - 1, nonCompliant: 0 },
  ]);
  assert.deepEqual(b.failureKinds, [
    { kind: "too-permissive", samples: 1 },
    { kind: "other", samples: 1 },
    { kind: "mixed", samples: 1 },
    { kind: "unspecified", samples: nonCompliant - 3 },
  ]);
  assert.deepEqual(b.errors, [{ kind: "completion:server", samples: verdicts.error }]);
  assert.deepEqual(b.ungraded, [{ kind: "unknown", samples: verdicts.ungraded }]);
});

test("one section: the same counts over its samples only", () => {
  const section = "section_00"; // positions 0, 79: sample 1 (too-permissive) and sample 80
  const rows = store.samplePage({ run: runId, section }, { limit: 500 }).rows;
  const b = store.scoreBreakdown(runId, section);
  assert.equal(b.section, section);
  const graded = rows.filter((r) => r.verdict === "compliant" || r.verdict === "non-compliant");
  assert.equal(
    b.scores.reduce((n, s) => n + s.compliant + s.nonCompliant, 0),
    graded.length,
  );
  const nonCompliant = rows.filter((r) => r.verdict === "non-compliant").length;
  assert.equal(
    b.failureKinds.reduce((n, k) => n + k.samples, 0),
    nonCompliant,
  );
  assert.equal(b.failureKinds[0]?.kind, "too-permissive");
  assert.deepEqual(store.scoreBreakdown(runId, "no-such-section"), {
    section: "no-such-section",
    scores: [],
    failureKinds: [],
    errors: [],
    ungraded: [],
  });
});
