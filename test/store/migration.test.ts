// Upgrading a results database written by an older modelspec: schema 3 (before safe-completion grading), schema 2
// (before run labels) and schema 1 (before heartbeats and usable-grade counts) become schema 4 in place, their runs
// intact, when opened for writing or only for reading.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { openResults } from "../../src/index.js";
import { ResultStore } from "../../src/store/index.js";
import { SCHEMA_SQL, SCHEMA_VERSION } from "../../src/store/schema.js";
import { runCli } from "../support/cli.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-migration-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** The safe-completion columns schema 4 added. */
const SAFE_COMPLETION_COLUMNS: [table: string, column: string][] = [
  ["grades", "severity"],
  ["grades", "helpfulness"],
  ["verdicts", "severity"],
  ["verdicts", "helpfulness"],
  ["verdicts", "reward"],
];

/** Columns each older schema lacks, by version: its tables are this schema's without them. */
const ADDED_SINCE: Record<number, [table: string, column: string][]> = {
  1: [["runs", "heartbeat_at"], ["verdicts", "usable_grades"], ["runs", "label"], ...SAFE_COMPLETION_COLUMNS],
  2: [["runs", "label"], ...SAFE_COMPLETION_COLUMNS],
  3: SAFE_COMPLETION_COLUMNS,
};

const PARAMS = JSON.stringify({
  kind: "eval",
  specSource: null,
  dataset: "eval-prompts",
  filters: { section: [], top: [], authority: [], tag: [] },
  limit: null,
  seed: null,
  epochs: 1,
  generation: { maxTokens: 1024, temperature: null },
  judging: { graderSamples: 1, threshold: 6, context: "full", maxTokens: 1024, hideExamples: false },
  baseUrl: null,
  judgeBaseUrl: null,
});

/** A database as modelspec wrote it at schema `version`: one completed run with a graded and an error sample. */
function oldDatabase(version: 1 | 2 | 3): string {
  const path = join(work, `schema-${version}-${Math.random().toString(36).slice(2)}.db`);
  const db = new Database(path);
  db.exec(SCHEMA_SQL);
  for (const [table, column] of ADDED_SINCE[version] ?? [])
    db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
  db.prepare("INSERT INTO meta(key, value) VALUES ('schema_version', ?)").run(String(version));
  db.prepare(
    `INSERT INTO runs (id, created_at, finished_at, status, tool_version, spec_version, spec_hash, dataset, model,
       judge, parent_run_id, params) VALUES ('run-0ld000000001', '2025-12-20T10:00:00.000Z', '2025-12-20T10:05:00.000Z',
       'completed', '0.1.0', '2025-12-18', 'abc', 'eval-prompts', 'openai:cand', 'openai:judge', NULL, ?)`,
  ).run(PARAMS);
  const sample = (id: string) =>
    JSON.stringify({ id, input: [], target: null, sectionId: "be_creative", topLevelSectionId: "best_work" });
  for (const [id, position] of [
    ["0dh6/1", 0],
    ["0dh6/2", 1],
  ] as const) {
    db.prepare(
      `INSERT INTO run_samples (run_id, sample_id, epoch, position, sample, section_id, top_level_id, authority)
       VALUES ('run-0ld000000001', ?, 1, ?, ?, 'be_creative', 'best_work', 'guideline')`,
    ).run(id, position, sample(id));
  }
  db.prepare(
    `INSERT INTO grades (key, judge, status, compliance, rationale, relied_on, failure_kind, raw, input_tokens,
       output_tokens, cached_tokens, created_at) VALUES ('g1', 'openai:judge', 'ok', 7, 'fine', '[]', 'none', '{}',
       10, 5, 0, '2025-12-20T10:01:00.000Z')`,
  ).run();
  db.prepare(
    `INSERT INTO verdicts (run_id, sample_id, epoch, status, compliance, compliant, grade_keys, error_kind)
     VALUES ('run-0ld000000001', '0dh6/1', 1, 'graded', 7, 1, '["g1"]', NULL),
            ('run-0ld000000001', '0dh6/2', 1, 'error', NULL, NULL, '[]', 'completion:timeout')`,
  ).run();
  db.close();
  return path;
}

function schemaOf(path: string): { version: string; runColumns: string[]; verdictColumns: string[] } {
  const db = new Database(path, { readonly: true });
  try {
    const columns = (table: string) =>
      (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map(
        (c) => c.name,
      );
    const meta = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string };
    return { version: meta.value, runColumns: columns("runs"), verdictColumns: columns("verdicts") };
  } finally {
    db.close();
  }
}

describe("schema migrations", () => {
  test("the current schema is 4", () => {
    assert.equal(SCHEMA_VERSION, 4);
  });

  test("schema 3 → 4: grades and verdicts get the safe-completion columns, null for what was graded before", () => {
    const path = oldDatabase(3);
    assert.ok(!schemaOf(path).verdictColumns.includes("reward"), "the fixture is schema 3");
    const store = ResultStore.open(path);
    try {
      const run = store.getRun("run-0ld000000001");
      assert.equal(run?.status, "completed");
      assert.equal(store.verdictTotals("run-0ld000000001", "all")[0]?.graded, 1);
      const grade = store.getGrade("g1");
      assert.deepEqual([grade?.compliance, grade?.severity, grade?.helpfulness], [7, null, null]);
      const [graded] = [...store.runResults("run-0ld000000001")];
      assert.equal(graded?.verdict?.status, "graded");
      assert.ok(!("reward" in (graded?.verdict ?? {})), "a compliance verdict has no reward");
      // A safe-completion verdict can be stored in the upgraded database and read back.
      store.putVerdict("run-0ld000000001", "0dh6/2", 1, {
        status: "graded",
        compliance: 6,
        compliant: true,
        gradeKeys: ["g1"],
        usableGrades: 1,
        errorKind: null,
        errorMessage: null,
        severity: "low",
        helpfulness: "partial",
        reward: -0.25,
      });
      const totals = store.safeCompletionTotals("run-0ld000000001");
      assert.deepEqual([totals.samples, totals.sumRewards, totals.bySeverity], [1, -0.25, { low: 1 }]);
    } finally {
      store.close();
    }
    const after = schemaOf(path);
    assert.equal(after.version, "4");
    assert.ok(after.verdictColumns.includes("reward") && after.verdictColumns.includes("severity"));
  });

  test("schema 2 → 4: runs get a label column (none yet), generations their tables; the run reads as before and can be labelled", () => {
    const path = oldDatabase(2);
    assert.ok(!schemaOf(path).runColumns.includes("label"), "the fixture is schema 2");
    const store = ResultStore.open(path);
    try {
      const run = store.getRun("run-0ld000000001");
      assert.equal(run?.label, null);
      assert.equal(run?.status, "completed");
      const totals = store.verdictTotals("run-0ld000000001", "all")[0];
      assert.equal(totals?.graded, 1);
      assert.equal(totals?.errors, 1);
      assert.ok(run);
      const { id, toolVersion, specVersion, specHash, dataset, model, judge, parentRunId, params } = run;
      const resume = { id, toolVersion, specVersion, specHash, dataset, model, judge, parentRunId, params };
      assert.equal(store.startRun({ ...resume, label: "labelled after upgrade" }).resumed, true);
      assert.equal(store.getRun("run-0ld000000001")?.label, "labelled after upgrade");
    } finally {
      store.close();
    }
    const after = schemaOf(path);
    assert.equal(after.version, "4");
    assert.ok(after.runColumns.includes("label"));
    // Schema 4: the tables of `modelspec generate`, empty and usable.
    const upgraded = ResultStore.open(path);
    try {
      upgraded.startGeneration({ id: "gen-1", toolVersion: "0", params: {}, boundary: "0".repeat(32) });
      assert.deepEqual(upgraded.generationItems("gen-1"), []);
    } finally {
      upgraded.close();
    }
  });

  test("schema 1 → 4 in one open, read-only: heartbeats, usable grades and labels", async () => {
    const path = oldDatabase(1);
    // A read-only command upgrades a database of an older schema once (its folder is writable), then reads it.
    const results = openResults(path);
    try {
      const [run] = results.listRuns();
      assert.equal(run?.id, "run-0ld000000001");
      assert.equal(run?.label, null);
      assert.equal(run?.heartbeatAt, null);
      assert.equal(results.summary(run as NonNullable<typeof run>, { spec: null }).label, null);
    } finally {
      results.close();
    }
    const after = schemaOf(path);
    assert.equal(after.version, "4");
    assert.ok(after.runColumns.includes("label") && after.runColumns.includes("heartbeat_at"));
    assert.ok(after.verdictColumns.includes("usable_grades") && after.verdictColumns.includes("reward"));
    const db = new Database(path, { readonly: true });
    try {
      const usable = db.prepare("SELECT usable_grades FROM verdicts WHERE sample_id = '0dh6/1'").get();
      assert.deepEqual(usable, { usable_grades: 1 }, "counted from the stored grades");
    } finally {
      db.close();
    }
    // The CLI lists the upgraded run.
    const listed = await runCli(["runs", "--db", path, "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      JSON.parse(listed.stdout).map((r: { id: string; label: string | null }) => [r.id, r.label]),
      [["run-0ld000000001", null]],
    );
  });
});
