import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { runCli } from "../support/cli.js";
import { startFakeLlmServer } from "../support/fake-llm-server.js";
import { CLI, releaseDir } from "../support/paths.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-interrupt-"));
after(() => rmSync(work, { recursive: true, force: true }));

test("Ctrl-C stops cleanly: exit 130, run marked interrupted, the same command resumes and finishes", async () => {
  const server = await startFakeLlmServer({
    latencyMs: 150,
    script: (body) =>
      (body as { response_format?: unknown }).response_format
        ? { json: { compliance: 7, rationale: "ok", relied_on_sections: [], failure_kind: "none" } }
        : { text: "an answer" },
  });
  const db = join(work, "r.db");
  const args = ["eval", "--spec", releaseDir("2025-12-18"), "--model", "openai:m", "--judge", "openai:j"];
  const flags = [
    "--top",
    "best_work",
    "--grader-samples",
    "1",
    "--concurrency",
    "2",
    "--judge-concurrency",
    "2",
  ];
  const env = { ...process.env, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-test" };
  try {
    const child = spawn(process.execPath, [CLI, ...args, ...flags, "--db", db], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    // Wait until some samples are done, then send SIGINT as a terminal's Ctrl-C would.
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        const n = new Database(db, { readonly: true })
          .prepare("SELECT COUNT(*) AS n FROM verdicts")
          .get() as { n: number };
        if (n.n >= 3) break;
      } catch {
        // the database does not exist yet
      }
    }
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 130);
    assert.match(stdout, /Interrupted: run the same command again to resume run-/);
    const status = new Database(db, { readonly: true }).prepare("SELECT status FROM runs").get() as {
      status: string;
    };
    assert.equal(status.status, "interrupted");

    const resumed = await runCli([...args, ...flags, "--db", db, "--json"], { env });
    assert.equal(resumed.code, 0, resumed.stderr);
    const report = JSON.parse(resumed.stdout);
    assert.equal(report.status, "completed");
    assert.equal(report.overall.graded, report.samples);
    assert.match(resumed.stderr, /Resuming run-\w+: \d+ samples, \d+ already done/);
    const rows = new Database(db, { readonly: true })
      .prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT sample_id || '/' || epoch) AS d FROM verdicts")
      .get() as { n: number; d: number };
    assert.equal(rows.n, rows.d);
  } finally {
    await server.close();
  }
});
