// Run labels: a name people give a run (`--label`, the `label` option). Stored with the run, never part of its
// id (the ids pinned in library.test.ts hold with a label), replaced when given again on a resumed run, and shown
// by `runs`, `report`, the --json summary and the viewer's runs list as the untrusted text it is.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { calibrate, evaluate, openResults, regrade, renderSummary, UsageError } from "../../src/index.js";
import { startViewer } from "../../src/viewer/index.js";
import { runCli } from "../support/cli.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-label-"));
const db = join(work, "results.db");
// A port nothing listens on: every request fails at once. Labels and ids do not need answers.
const CLOSED = "http://127.0.0.1:9/v1";
const HOSTILE = "nightly \x1b[31mred\x1b[0m\x1b]0;title\x07\u202e<script>alert(1)</script>\nsecond line";
/** Holds a character that would restyle the terminal or reorder what it shows. */
const unsafe = (text: string) => text.includes("\x1b") || text.includes("\u202e");
const SHOWN = "nightly red<script>alert(1)</script> second line";

before(() => {
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
});
after(() => rmSync(work, { recursive: true, force: true }));

const labelOf = (runId: string) => {
  const results = openResults(db);
  try {
    return results.findRun(runId).label;
  } finally {
    results.close();
  }
};

describe("run labels", () => {
  const common = {
    spec: SPEC,
    model: "openai:cand",
    judge: "openai:judge",
    section: ["be_creative"],
    graderSamples: 1,
    maxAttempts: 1,
    baseUrl: CLOSED,
    judgeBaseUrl: CLOSED,
    db,
  };

  test("not part of the run id; stored, kept on resume without one, replaced with one, removed with ''", async () => {
    const labelled = await evaluate({ ...common, label: "baseline" });
    // The id modelspec 0.1.0 gave this eval without a label (pinned in library.test.ts).
    assert.equal(labelled.runId, "run-48931c75074b");
    assert.equal(labelled.label, "baseline");
    const resumed = await evaluate(common);
    assert.equal(resumed.runId, labelled.runId);
    assert.equal(resumed.label, "baseline", "resuming without a label keeps it");
    const renamed = await evaluate({ ...common, label: "  after the fix  " });
    assert.equal(renamed.label, "after the fix");
    assert.equal(labelOf(labelled.runId), "after the fix");
    const cleared = await evaluate({ ...common, label: "" });
    assert.equal(cleared.label, null);
    // regrade and calibrate: labelled, same ids as without a label.
    const again = await regrade({
      run: labelled.runId,
      judge: "openai:judge3",
      maxAttempts: 1,
      judgeBaseUrl: CLOSED,
      db,
      label: "judge 3",
    });
    assert.equal(again.runId, "run-fe3ee9995773");
    assert.equal(again.label, "judge 3");
    const cal = await calibrate({
      spec: SPEC,
      judge: "openai:judge",
      section: ["be_creative"],
      graderSamples: 1,
      maxAttempts: 1,
      judgeBaseUrl: CLOSED,
      db,
      label: "calibration",
    });
    assert.equal(cal.runId, "cal-b18da5aebc40");
    assert.equal(cal.label, "calibration");
    await assert.rejects(
      evaluate({ ...common, label: "x".repeat(201) }),
      (e: unknown) => e instanceof UsageError && /^option label: /.test(e.message),
    );
  });

  test("shown by eval --json, runs, report and the viewer, without escapes, controls or markup", async () => {
    const cli = await runCli(
      [
        "eval",
        ...["--spec", SPEC, "--model", "openai:cli", "--judge", "openai:judge", "--section", "be_creative"],
        ...["--base-url", CLOSED, "--judge-base-url", CLOSED, "--max-attempts", "1", "--db", db],
        ...["--label", HOSTILE, "--json"],
      ],
      { env: { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined } },
    );
    assert.equal(cli.code, 1, "nothing graded (nothing listens)");
    const printed = JSON.parse(cli.stdout);
    assert.equal(printed.label, HOSTILE, "JSON carries the label as given (JSON escapes it)");

    const runs = await runCli(["runs", "--db", db]);
    assert.equal(runs.code, 0, runs.stderr);
    assert.ok(!unsafe(runs.stdout), "no escape sequence or override reaches the terminal");
    assert.ok(runs.stdout.includes("baseline") === false && runs.stdout.includes("judge 3"));
    assert.ok(runs.stdout.includes(SHOWN.slice(0, 29)), runs.stdout);
    const listed = JSON.parse((await runCli(["runs", "--db", db, "--json"])).stdout) as {
      id: string;
      label: string | null;
    }[];
    assert.equal(listed.find((r) => r.id === printed.runId)?.label, HOSTILE);

    const report = await runCli(["report", printed.runId, "--db", db]);
    assert.equal(report.code, 0, report.stderr);
    assert.ok(report.stdout.split("\n").includes(`Label: ${SHOWN}`), report.stdout);
    assert.ok(!unsafe(report.stdout));
    assert.ok(renderSummary(printed).includes(`Label: ${SHOWN}`));

    const viewer = await startViewer({ db, port: 0 });
    try {
      const page = await (await fetch(new URL("/", viewer.url))).text();
      assert.ok(!page.includes("<script>alert"), "markup is escaped");
      assert.ok(page.includes("nightly red&lt;script&gt;alert(1)&lt;/script&gt; second line"), page);
      assert.ok(!unsafe(page));
      assert.match(page, /data-label title="judge 3">judge 3</);
    } finally {
      await viewer.close();
    }
  });
});
