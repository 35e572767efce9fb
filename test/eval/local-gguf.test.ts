import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { runCli } from "../support/cli.js";
import { releaseDir } from "../support/paths.js";
import { tinyGgufPath } from "../support/tiny-gguf.js";

// Fully offline: a generated random-weight GGUF is both candidate and judge, run in-process by llama.cpp.
const work = mkdtempSync(join(tmpdir(), "modelspec-local-"));
let model = "";
before(async () => {
  model = `local:${await tinyGgufPath()}`;
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("eval and calibrate with a local GGUF model", () => {
  test("eval: real engine, chat template and schema-constrained judge answers", async () => {
    const db = join(work, "local.db");
    const args = ["eval", "--spec", releaseDir("2025-12-18"), "--model", model, "--judge", model];
    const options = [
      "--section",
      "chain_of_command",
      "--limit",
      "2",
      "--grader-samples",
      "1",
      "--max-tokens",
      "24",
    ];
    const r = await runCli([
      ...args,
      ...options,
      "--judge-max-tokens",
      "400",
      "--threads",
      "1",
      "--db",
      db,
      "--json",
    ]);
    assert.match(r.stderr, /warning: the judge is the candidate model/);
    const report = JSON.parse(r.stdout);
    // A random-weight judge may give no usable answer: then the run graded nothing, which exits 1 and says so.
    if (report.overall.graded === 0) {
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /no sample was graded/);
    } else assert.equal(r.code, 0, r.stderr);
    assert.equal(report.samples, 2);
    assert.equal(report.errors, 0, JSON.stringify(report.errorKinds));
    assert.equal(report.overall.graded + report.ungraded, 2);
    assert.ok(report.tokens.candidate.input > 0 && report.tokens.judge.input > 0);

    // What the judge produced was constrained by the answer schema: stored raw and parsed.
    const grades = new Database(db, { readonly: true })
      .prepare("SELECT status, compliance, raw FROM grades")
      .all() as {
      status: string;
      compliance: number | null;
      raw: string;
    }[];
    assert.equal(grades.length, 2);
    for (const g of grades) {
      assert.match(g.raw.trim(), /^\{\s*"compliance"\s*:\s*[1-7]/);
      if (g.status === "ok") assert.ok(g.compliance !== null && g.compliance >= 1 && g.compliance <= 7);
    }
  });

  test("calibrate: grades the spec's labelled responses and reports agreement", async () => {
    const r = await runCli([
      "calibrate",
      "--spec",
      releaseDir("2025-12-18"),
      "--judge",
      model,
      "--section",
      "respect_creators",
      "--grader-samples",
      "1",
      "--judge-max-tokens",
      "400",
      "--threads",
      "1",
      "--db",
      join(work, "cal.db"),
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.ok(report.items >= 2);
    const c = report.confusion;
    assert.equal(
      c.tp + c.fp + c.tn + c.fn + report.okLabels.graded + report.ungraded + report.errors,
      report.items,
    );
    assert.equal(report.errors, 0);
  });
});
