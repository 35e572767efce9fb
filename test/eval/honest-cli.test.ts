// The CLI's honesty: numeric flags outside their range are refused before anything is written or sent, gates
// fail on errors, regrade resumes, a killed run reads as interrupted, run references are prefixes, and a
// damaged, full or read-only database gets one line.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { DatabaseError } from "../../src/errors.js";
import { ResultStore } from "../../src/store/index.js";
import { type CliResult, runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { CLI, releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-honest-"));
let server: FakeLlmServer;

type Body = { response_format?: unknown; tool_choice?: unknown; messages?: { content: string }[] };
/** A judge's request: structured output (OpenAI) or a forced tool (Anthropic). */
const isJudge = (body: unknown) =>
  (body as Body).response_format !== undefined || (body as Body).tool_choice !== undefined;
const grade = (compliance: number): FakeReply => ({
  json: {
    compliance,
    rationale: "r",
    relied_on_sections: [],
    failure_kind: compliance >= 6 ? "none" : "other",
  },
});
const script = (body: unknown): FakeReply => {
  if (isJudge(body)) return grade(7);
  const text = JSON.stringify(body);
  // One prompt of be_creative fails to generate (400: not retried).
  return text.includes("love poem") ? { status: 400, message: "no" } : { text: "fine" };
};

before(async () => {
  server = await startFakeLlmServer({ script });
  // World-readable, so the read-only test can run the CLI as another user.
  chmodSync(work, 0o755);
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({ OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-test-honest" });
const evalArgs = (db: string, ...extra: string[]) => [
  "eval",
  "--spec",
  SPEC,
  "--model",
  "openai:candidate",
  "--judge",
  "openai:judge",
  "--section",
  "be_creative",
  "--grader-samples",
  "1",
  "--max-attempts",
  "1",
  "--db",
  db,
  ...extra,
];

function assertOneLine(r: CliResult, code: number, pattern: RegExp) {
  const lines = r.stderr.split("\n").filter((l) => l !== "" && !/^(Starting|Resuming) /.test(l));
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] ?? "", pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  assert.equal(r.code, code, r.stderr);
}

describe("numeric flags have ranges", { concurrency: true }, () => {
  const cases: [string[], RegExp][] = [
    [
      ["--threshold", "9"],
      /--threshold <score>' argument '9' is invalid\. expected a whole number from 1 to 7/,
    ],
    [["--threshold", "0"], /--threshold/],
    [
      ["--grader-samples", "0"],
      /--grader-samples <n>' argument '0' is invalid\. expected a whole number from 1 to 25/,
    ],
    [["--grader-samples", "100000"], /--grader-samples .* from 1 to 25/],
    [["--epochs", "0"], /--epochs .* from 1 to 100/],
    [["--timeout", "0"], /--timeout .* expected a number from 0\.1 to 3,600/],
    [["--timeout", "-1"], /--timeout/],
    [["--max-attempts", "0"], /--max-attempts .* from 1 to 20/],
    [["--max-tokens", "0"], /--max-tokens .* from 1 to 1,000,000/],
    [["--temperature", "-5"], /--temperature .* expected a number from 0 to 2/],
    [["--concurrency", "0"], /--concurrency .* from 1 to 256/],
    [["--judge-concurrency", "0"], /--judge-concurrency .* from 1 to 256/],
    [["--quorum", "0"], /--quorum .* from 1 to 25/],
    [["--max-errors", "-1"], /--max-errors .* expected a number of samples/],
    [["--fail-under", "120%"], /--fail-under .* expected a rate/],
    [["--max-response-bytes", "10"], /--max-response-bytes .* from 1,024 to 1,073,741,824/],
  ];
  for (const [flags, pattern] of cases) {
    test(`${flags.join(" ")}: one line naming the flag and its range, exit 2, nothing written or sent`, async () => {
      const dir = join(work, `flags-${flags.join("").replace(/\W/g, "")}`);
      const requests = server.requests.length;
      const r = await runCli(evalArgs(join(dir, "results.db"), ...flags), { env: env() });
      assertOneLine(r, 2, pattern);
      assert.match(r.stderr, /^modelspec: /);
      assert.equal(existsSync(dir), false, "nothing written");
      assert.equal(server.requests.length, requests, "nothing sent");
    });
  }

  test("--help shows each numeric flag's range", async () => {
    const help = await runCli(["eval", "--help"]);
    assert.match(
      help.stdout,
      /--grader-samples <n>\s+judge\s+samples\s+per\s+response;\s+the\s+median\s+counts\s+\(1–25\)/,
    );
    assert.match(help.stdout, /--epochs <n>\s+answer\s+each\s+sample\s+n\s+times\s+\(1–100\)/);
  });
});

describe("gates", () => {
  test("--fail-under counts errors against --max-errors (0 unless given); a count or a rate may be allowed", async () => {
    const db = join(work, "gates.db");
    const strict = await runCli(evalArgs(db, "--fail-under", "50%"), { env: env() });
    assertOneLine(
      strict,
      1,
      /^modelspec: 1 of 4 samples ended as errors \(1\) or ungraded \(0\), more than --max-errors 0 allows$/,
    );
    const count = await runCli(evalArgs(db, "--fail-under", "50%", "--max-errors", "1"), { env: env() });
    assert.equal(count.code, 0, count.stderr);
    const rate = await runCli(evalArgs(db, "--fail-under", "50%", "--max-errors", "10%"), { env: env() });
    assertOneLine(rate, 1, /more than --max-errors 10\.0% allows/);
    const lenient = await runCli(evalArgs(db, "--max-errors", "25%"), { env: env() });
    assert.equal(lenient.code, 0, lenient.stderr);
  });
});

describe("answers over --max-response-bytes", () => {
  test("are errors of kind too_large, not stored", async () => {
    const db = join(work, "large.db");
    server.setScript((body) =>
      (body as Body).response_format !== undefined ? grade(7) : { largeText: 64 * 1024 },
    );
    try {
      const r = await runCli([...evalArgs(db, "--max-response-bytes", "4096"), "--json"], { env: env() });
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).errorKinds, { "completion:too_large": 4 });
      assert.ok(statSync(db).size < 256 * 1024, "no 64 kB answer was stored");
    } finally {
      server.setScript(script);
    }
  });
});

describe("base URLs", () => {
  test("--judge-base-url reaches an anthropic judge too (it was recorded, and ignored)", async () => {
    const db = join(work, "anthropic-judge.db");
    const requests = server.requests.length;
    const r = await runCli(
      [
        ...evalArgs(db).map((a) => (a === "openai:judge" ? "anthropic:claude-judge" : a)),
        "--judge-base-url",
        server.url,
        "--json",
      ],
      { env: { ...env(), ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: undefined } },
    );
    assert.equal(r.code, 0, r.stderr);
    const judged = server.requests.slice(requests).filter((q) => q.api === "anthropic").length;
    assert.equal(judged, JSON.parse(r.stdout).overall.graded, "every grade came from the server named");
  });
});

describe("runs", () => {
  test("the same regrade after a stop resumes the same run instead of regrading the regrade", async () => {
    const db = join(work, "regrade.db");
    const first = await runCli([...evalArgs(db), "--json"], { env: env() });
    const parent = JSON.parse(first.stdout).runId as string;
    const regrade = (...extra: string[]) =>
      runCli(
        [
          "regrade",
          "latest",
          "--judge",
          "openai:judge-2",
          "--grader-samples",
          "1",
          "--db",
          db,
          "--json",
          ...extra,
        ],
        {
          env: env(),
        },
      );
    const a = JSON.parse((await regrade()).stdout);
    assert.notEqual(a.runId, parent);
    // Simulate a regrade killed half-way: its last verdicts are gone and it is still marked running.
    const raw = new Database(db);
    raw
      .prepare(
        "DELETE FROM verdicts WHERE run_id = ? AND rowid IN (SELECT rowid FROM verdicts WHERE run_id = ? LIMIT 2)",
      )
      .run(a.runId, a.runId);
    raw.prepare("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?").run(a.runId);
    raw.close();
    const again = await regrade();
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`Resuming ${a.runId}: 4 samples, [12] already done`));
    assert.equal(JSON.parse(again.stdout).runId, a.runId, "the same run, resumed");
    const runs = JSON.parse((await runCli(["runs", "--db", db, "--json"])).stdout) as { id: string }[];
    assert.equal(runs.length, 2, "no regrade of the regrade");
  });

  test("a run whose process stopped giving signs of life is shown as interrupted", async () => {
    const db = join(work, "stale.db");
    const run = JSON.parse((await runCli([...evalArgs(db), "--json"], { env: env() })).stdout)
      .runId as string;
    const raw = new Database(db);
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    raw
      .prepare("UPDATE runs SET status = 'running', finished_at = NULL, heartbeat_at = ? WHERE id = ?")
      .run(minutesAgo(10), run);
    raw.close();
    const listed = JSON.parse((await runCli(["runs", "--db", db, "--json"])).stdout) as { status: string }[];
    assert.equal(listed[0]?.status, "interrupted");
    const report = JSON.parse((await runCli(["report", run, "--db", db, "--json"])).stdout);
    assert.equal(report.status, "interrupted");
    // A heartbeat from seconds ago: still running.
    const fresh = new Database(db);
    fresh.prepare("UPDATE runs SET heartbeat_at = ? WHERE id = ?").run(minutesAgo(0.1), run);
    fresh.close();
    assert.equal(
      (JSON.parse((await runCli(["runs", "--db", db, "--json"])).stdout) as { status: string }[])[0]?.status,
      "running",
    );
  });

  test("run references are prefixes, not SQL patterns", async () => {
    const db = join(work, "stale.db");
    for (const ref of ["%", "run-%", "_un-", "%a"]) {
      const r = await runCli(["report", ref, "--db", db]);
      assertOneLine(r, 2, new RegExp(`^modelspec: no run '${ref.replace(/[%]/g, "%")}'`));
    }
    assert.equal((await runCli(["report", "run-", "--db", db])).code, 0);
  });
});

describe("a damaged, full or read-only database", () => {
  test("damaged in the middle: runs, report and export give one line naming the file, exit 2", async () => {
    const db = join(work, "damaged.db");
    assert.equal((await runCli(evalArgs(db), { env: env() })).code, 0);
    // Overwrite the middle of the file (the header stays valid, so opening works and reading fails).
    const size = statSync(db).size;
    const fd = openSync(db, "r+");
    writeSync(fd, Buffer.alloc(Math.floor(size / 2), 0x5a), 0, Math.floor(size / 2), 4096);
    const results = await Promise.all([
      runCli(["runs", "--db", db]),
      runCli(["report", "latest", "--db", db]),
      runCli(["export", "latest", "--db", db, "--jsonl"]),
      runCli(evalArgs(db), { env: env() }),
    ]);
    for (const r of results) {
      assertOneLine(
        r,
        2,
        new RegExp(
          `^modelspec: ${db.replace(/[.]/g, "\\.")}: (the results database is damaged|not a results database|cannot open results database)`,
        ),
      );
    }
  });

  test("full: a write that does not fit is a DatabaseError saying what to do", () => {
    const db = join(work, "full.db");
    const store = ResultStore.open(db);
    try {
      store.db.pragma("max_page_count = 8");
      assert.throws(
        () =>
          store.putCompletion({
            key: "k",
            provider: "p",
            text: "x".repeat(200_000),
            inputTokens: 0,
            outputTokens: 0,
            cachedTokens: null,
            finishReason: null,
            refusal: null,
          }),
        (e: unknown) =>
          e instanceof DatabaseError &&
          /: the disk is full \(.*\); free some space and run the same command again/.test(e.message),
      );
    } finally {
      store.close();
    }
  });

  test("read-only commands (runs, report, export, view) work on a database in a read-only folder", async (t) => {
    const folder = join(work, "read-only");
    mkdirSync(folder);
    const db = join(folder, "results.db");
    const made = await runCli([...evalArgs(db), "--json"], { env: env() });
    const run = JSON.parse(made.stdout).runId as string;
    cpSync(db, join(work, "copy.db"));
    chmodSync(db, 0o444);
    chmodSync(folder, 0o555);
    try {
      // Root may write anywhere: run the commands as an unprivileged user then.
      const asUser =
        process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
      if (asUser.length > 0 && spawnSync("setpriv", ["--version"]).status !== 0) {
        t.skip("needs setpriv to drop root");
        return;
      }
      const run$ = (...args: string[]) => {
        const [command, ...rest] = [...asUser, process.execPath, CLI, ...args, "--db", db];
        return spawnSync(command as string, rest, { encoding: "utf8", env: { ...process.env, HOME: work } });
      };
      for (const args of [
        ["runs", "--json"],
        ["report", run, "--json"],
        ["export", run, "--jsonl"],
      ]) {
        const r = run$(...args);
        assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
        assert.ok(r.stdout.includes(run), args.join(" "));
      }
      // And the viewer: it serves the run's page from the read-only database.
      const [command, ...rest] = [...asUser, process.execPath, CLI, "view", "--port", "0", "--db", db];
      const view = spawn(command as string, rest, { env: { ...process.env, HOME: work } });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = "";
          view.stdout.on("data", (d) => {
            out += d;
            const found = /http:\/\/\S+\//.exec(out);
            if (found) resolve(found[0]);
          });
          view.on("exit", (code) => reject(new Error(`view exited ${code}`)));
        });
        const page = await fetch(new URL(`/runs/${run}`, url));
        assert.equal(page.status, 200);
        assert.ok((await page.text()).includes(run));
      } finally {
        view.kill("SIGINT");
        await new Promise((resolve) => view.once("close", resolve));
      }
      assert.deepEqual(
        [existsSync(`${db}-wal`), existsSync(`${db}-shm`)],
        [false, false],
        "nothing written beside it",
      );
    } finally {
      chmodSync(folder, 0o755);
      chmodSync(db, 0o644);
    }
  });
});
