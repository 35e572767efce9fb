// Fault injection through the CLI, as a user would run it, against the loopback fake OpenAI-compatible server:
// 429 storms, 5xx bursts, dropped connections, timeouts, unusable judge answers, kill -9 and resume, and two
// evals sharing one database. Every scenario is bounded: small datasets, 1-second Retry-After, sub-2 s timeouts.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { runCli } from "../support/cli.js";
import {
  type FakeLlmServer,
  type FakeLlmServerOptions,
  type FakeReply,
  type RecordedRequest,
  startFakeLlmServer,
} from "../support/fake-llm-server.js";
import { CLI, ROOT, releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-faults-"));
after(() => rmSync(work, { recursive: true, force: true }));

type Body = { model?: string; messages?: { content: string }[]; response_format?: unknown };
const isJudge = (body: unknown) => (body as Body).response_format !== undefined;
const modelOf = (request: RecordedRequest) => (request.body as Body).model ?? "";
/** The sample a request is about: its prompt says "sample sNN" (the judge sees it in the conversation). */
const sampleOf = (body: unknown) => /sample (s\d+)/.exec(JSON.stringify(body))?.[1] ?? "?";

/** Odd samples deserve 7 (compliant at threshold 6), even ones 2: a grade can be checked against its sample. */
const expectedScore = (id: string) => (Number(id.slice(1)) % 2 === 1 ? 7 : 2);
const judgeJson = (compliance: unknown, extra: Record<string, unknown> = {}) => ({
  compliance,
  rationale: "checked",
  relied_on_sections: [],
  failure_kind: compliance === 7 ? "none" : "other",
  ...extra,
});

/**
 * The healthy answer to any request: the candidate says "answer for sNN"; the judge scores the response it
 * was shown (not the prompt), so a grade attached to the wrong response or sample would be caught.
 */
function healthy(body: unknown): FakeReply {
  if (!isJudge(body)) return { text: `answer for ${sampleOf(body)}` };
  const response = /<candidate_response-[0-9a-f]+>\\n(answer for (s\d+))/.exec(JSON.stringify(body));
  if (!response?.[2]) return { text: "the judge could not find the response" };
  return { json: judgeJson(expectedScore(response[2])) };
}

function writeDataset(name: string, ids: string[]): string {
  const path = join(work, name);
  writeFileSync(
    path,
    ids
      .map((id) => JSON.stringify({ id, input: `sample ${id}: please answer`, target: "Any answer." }))
      .join("\n"),
  );
  return path;
}
const ids = (n: number) => Array.from({ length: n }, (_, i) => `s${String(i + 1).padStart(2, "0")}`);

const evalArgs = (dataset: string, db: string, ...extra: string[]) => [
  "eval",
  "--spec",
  SPEC,
  "--dataset",
  dataset,
  "--model",
  "openai:candidate",
  "--judge",
  "openai:judge",
  "--judge-context",
  "section",
  "--grader-samples",
  "1",
  "--db",
  db,
  "--json",
  "--no-progress",
  ...extra,
];
const envFor = (server: FakeLlmServer) => ({
  OPENAI_BASE_URL: `${server.url}/v1`,
  OPENAI_API_KEY: "sk-test-faults",
});

interface VerdictRow {
  sample_id: string;
  status: string;
  compliance: number | null;
  compliant: number | null;
  error_kind: string | null;
}
function verdicts(db: string): Map<string, VerdictRow> {
  const conn = new Database(db, { readonly: true });
  try {
    const rows = conn
      .prepare("SELECT sample_id, status, compliance, compliant, error_kind FROM verdicts")
      .all() as VerdictRow[];
    return new Map(rows.map((r) => [r.sample_id, r]));
  } finally {
    conn.close();
  }
}

/** A graded verdict must carry exactly the score its response deserves; anything else must carry none. */
function assertGradedCorrectly(v: VerdictRow | undefined, id: string) {
  assert.ok(v, `${id}: no verdict`);
  assert.equal(v.status, "graded", `${id}: ${JSON.stringify(v)}`);
  assert.equal(v.compliance, expectedScore(id), id);
  assert.equal(v.compliant, expectedScore(id) >= 6 ? 1 : 0, id);
}
function assertNeitherPassNorFail(
  v: VerdictRow | undefined,
  id: string,
  status: string,
  kind: string | null,
) {
  assert.ok(v, `${id}: no verdict`);
  assert.deepEqual(
    { status: v.status, compliance: v.compliance, compliant: v.compliant, kind: v.error_kind },
    { status, compliance: null, compliant: null, kind },
    id,
  );
}

async function withServer<T>(options: FakeLlmServerOptions, run: (server: FakeLlmServer) => Promise<T>) {
  const server = await startFakeLlmServer(options);
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

describe("eval under faults (loopback fake server)", () => {
  test("a 429 storm with Retry-After: every sample completes, no request comes before Retry-After has passed", async () => {
    const RETRY_AFTER_S = 1;
    const seen = { candidate: 0, judge: 0 };
    // Two storms per model: its first 6 requests, and its 15th to 17th.
    const script = (body: unknown): FakeReply => {
      const n = seen[isJudge(body) ? "judge" : "candidate"]++;
      if (n < 6 || (n >= 14 && n < 17)) {
        return { status: 429, retryAfter: String(RETRY_AFTER_S), message: "slow down" };
      }
      return healthy(body);
    };
    await withServer({ script }, async (server) => {
      const samples = ids(16);
      const db = join(work, "storm.db");
      const r = await runCli(
        evalArgs(writeDataset("storm.jsonl", samples), db, "--concurrency", "4", "--judge-concurrency", "4"),
        { env: envFor(server) },
      );
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.equal(report.status, "completed");
      assert.equal(report.overall.graded, samples.length);
      assert.equal(report.errors, 0);
      const byId = verdicts(db);
      for (const id of samples) assertGradedCorrectly(byId.get(id), id);

      // The limiter is per model: once the client has a 429, it sends no request for that model until
      // Retry-After has passed. The server cannot see when the client read the 429, and on a loaded machine a
      // request already on the wire can arrive late; so the check is causal, not timed: within Retry-After of a
      // 429 only requests the other (concurrency − 1) slots had already sent may arrive. A limiter that did not
      // pause would send the retry and the following samples at once, many more than that.
      const OTHER_SLOTS = 3;
      for (const model of ["candidate", "judge"]) {
        const requests = server.requests.filter((q) => modelOf(q) === model);
        const limited = requests.filter((q) => q.response?.status === 429);
        assert.equal(limited.length, 9, `${model}: 429s sent`);
        let checkedGaps = 0;
        for (const q of limited) {
          const sentAt = q.response?.at ?? 0;
          assert.equal(q.response?.headers["retry-after"], String(RETRY_AFTER_S));
          const early = requests.filter((o) => o.at > sentAt && o.at < sentAt + RETRY_AFTER_S * 1000);
          assert.ok(
            early.length <= OTHER_SLOTS,
            `${model}: ${early.length} requests arrived within Retry-After ${RETRY_AFTER_S} s of a 429, ` +
              `at ${early.map((o) => o.at - sentAt).join(", ")} ms`,
          );
          if (requests.some((o) => o.at >= sentAt + RETRY_AFTER_S * 1000)) checkedGaps++;
        }
        assert.ok(checkedGaps >= 8, `${model}: requests followed the 429s (${checkedGaps})`);
      }
    });
  });

  test("5xx bursts, dropped connections and timeouts: retried within --max-attempts, else an error with its kind, never a grade", async () => {
    // Per sample and role, the replies before the healthy one; "always" never recovers.
    const plans: Record<string, { role: "candidate" | "judge"; replies: FakeReply[]; always?: boolean }> = {
      s01: { role: "candidate", replies: [{ status: 500 }] },
      s02: { role: "candidate", replies: [{ status: 503 }, { status: 502 }] },
      s03: { role: "candidate", replies: [{ reset: true }] },
      s04: { role: "candidate", replies: [{ hang: true }] },
      s05: { role: "candidate", replies: [{ stallBody: true }] },
      s06: { role: "candidate", replies: [{ status: 500 }], always: true },
      s07: { role: "candidate", replies: [{ reset: true }], always: true },
      s08: { role: "candidate", replies: [{ hang: true }], always: true },
      s09: { role: "judge", replies: [{ status: 502 }] },
      s10: { role: "judge", replies: [{ status: 500 }], always: true },
      s11: { role: "judge", replies: [{ hang: true }] },
      s12: { role: "judge", replies: [{ reset: true }], always: true },
      s13: { role: "candidate", replies: [{ status: 400 }], always: true },
      s14: { role: "candidate", replies: [{ status: 401 }], always: true },
    };
    const attempts = new Map<string, number>();
    const script = (body: unknown): FakeReply => {
      const id = sampleOf(body);
      const role = isJudge(body) ? "judge" : "candidate";
      const n = attempts.get(`${id}/${role}`) ?? 0;
      attempts.set(`${id}/${role}`, n + 1);
      const plan = plans[id];
      if (plan?.role === role) {
        const reply = plan.always ? plan.replies[0] : plan.replies[n];
        if (reply) return reply;
      }
      return healthy(body);
    };
    await withServer({ script }, async (server) => {
      const samples = ids(16);
      const db = join(work, "faults.db");
      const dataset = writeDataset("faults.jsonl", samples);
      const flags = [
        "--concurrency",
        "4",
        "--judge-concurrency",
        "4",
        "--max-attempts",
        "3",
        "--timeout",
        "1.5",
      ];
      const r = await runCli(evalArgs(dataset, db, ...flags), { env: envFor(server) });
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.deepEqual(report.errorKinds, {
        "completion:auth": 1,
        "completion:bad_request": 1,
        "completion:network": 1,
        "completion:server": 1,
        "completion:timeout": 1,
        "judge:network": 1,
        "judge:server": 1,
      });
      assert.equal(report.errors, 7);
      assert.equal(report.ungraded, 0);
      assert.equal(report.overall.graded, 9);

      const byId = verdicts(db);
      const errorKind: Record<string, string> = {
        s06: "completion:server",
        s07: "completion:network",
        s08: "completion:timeout",
        s10: "judge:server",
        s12: "judge:network",
        s13: "completion:bad_request",
        s14: "completion:auth",
      };
      for (const id of samples) {
        const kind = errorKind[id];
        if (kind) assertNeitherPassNorFail(byId.get(id), id, "error", kind);
        else assertGradedCorrectly(byId.get(id), id);
      }
      // Exactly as many attempts as the faults needed, and never more than --max-attempts.
      const count = (id: string, role: string) => attempts.get(`${id}/${role}`) ?? 0;
      const expected: Record<string, [number, number]> = {
        s01: [2, 1],
        s02: [3, 1],
        s03: [2, 1],
        s04: [2, 1],
        s05: [2, 1],
        s06: [3, 0],
        s07: [3, 0],
        s08: [3, 0],
        s09: [1, 2],
        s10: [1, 3],
        s11: [1, 2],
        s12: [1, 3],
        s13: [1, 0],
        s14: [1, 0],
        s15: [1, 1],
        s16: [1, 1],
      };
      for (const id of samples) {
        assert.deepEqual([count(id, "candidate"), count(id, "judge")], expected[id], `${id} attempts`);
      }

      // The same command on a healthy server retries exactly the errors, and completes the run.
      server.setScript(healthy);
      const before = server.requests.length;
      const again = await runCli(evalArgs(dataset, db, ...flags), { env: envFor(server) });
      assert.equal(again.code, 0, again.stderr);
      const second = JSON.parse(again.stdout);
      assert.equal(second.overall.graded, samples.length);
      assert.equal(second.errors, 0);
      const retried = server.requests.slice(before);
      const errored = Object.keys(errorKind).sort();
      assert.deepEqual([...new Set(retried.map((q) => sampleOf(q.body)))].sort(), errored);
      // s10 and s12 already had their completion: only their grade was asked for again.
      assert.equal(retried.filter((q) => !isJudge(q.body)).length, errored.length - 2);
      assert.equal(retried.filter((q) => isJudge(q.body)).length, errored.length);
      for (const id of samples) assertGradedCorrectly(verdicts(db).get(id), id);
    });
  });

  test("broken 200 answers (truncated JSON, an error object, invalid UTF-8, not JSON) at ~40%: retried, every sample graded; answers that cannot improve are asked once", async () => {
    const broken: FakeReply[] = [
      { truncated: true },
      { status: 200, message: "upstream failed" },
      { invalidUtf8: true },
      { malformed: true },
    ];
    // Per sample and role, how many broken answers come before the healthy one: 0, 1, 2, 0, 1, ...
    const faultsBefore = (id: string) => [0, 1, 2, 0, 1][Number(id.slice(1)) % 5] ?? 0;
    // Answers that asking again cannot change: an error object naming a 401, a response without choices, a
    // judge's refusal.
    const settled: Record<string, { role: "candidate" | "judge"; reply: FakeReply }> = {
      s21: { role: "candidate", reply: { status: 200, code: 401, message: "bad key" } },
      s22: { role: "candidate", reply: { body: { id: "no-choices" } } },
      s23: { role: "judge", reply: { text: "", refusal: "I cannot grade this." } },
    };
    const attempts = new Map<string, number>();
    let faults = 0;
    const script = (body: unknown): FakeReply => {
      const id = sampleOf(body);
      const role = isJudge(body) ? "judge" : "candidate";
      const n = attempts.get(`${id}/${role}`) ?? 0;
      attempts.set(`${id}/${role}`, n + 1);
      const fixed = settled[id];
      if (fixed) return fixed.role === role ? fixed.reply : healthy(body);
      if (n < faultsBefore(id)) {
        faults++;
        return broken[(Number(id.slice(1)) + n + (role === "judge" ? 1 : 0)) % broken.length] as FakeReply;
      }
      return healthy(body);
    };
    await withServer({ script }, async (server) => {
      const healthyIds = ids(20);
      const samples = ids(23);
      const db = join(work, "broken.db");
      const flags = ["--concurrency", "4", "--judge-concurrency", "4", "--max-attempts", "3"];
      const r = await runCli(evalArgs(writeDataset("broken.jsonl", samples), db, ...flags), {
        env: envFor(server),
      });
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.ok(faults / server.requests.length >= 0.4, `${faults} of ${server.requests.length} broken`);
      assert.deepEqual(report.errorKinds, { "completion:auth": 1, "completion:bad_response": 1 });
      assert.equal(report.ungraded, 1);
      assert.equal(report.overall.graded, healthyIds.length);
      const byId = verdicts(db);
      for (const id of healthyIds) assertGradedCorrectly(byId.get(id), id);
      assertNeitherPassNorFail(byId.get("s21"), "s21", "error", "completion:auth");
      assertNeitherPassNorFail(byId.get("s22"), "s22", "error", "completion:bad_response");
      assertNeitherPassNorFail(byId.get("s23"), "s23", "ungraded", "judge:refused");
      // Each broken answer cost one more attempt, no more; the settled ones were asked once.
      const count = (id: string, role: string) => attempts.get(`${id}/${role}`) ?? 0;
      for (const id of healthyIds) {
        const expected = faultsBefore(id) + 1;
        assert.deepEqual(
          [count(id, "candidate"), count(id, "judge")],
          [expected, expected],
          `${id} attempts`,
        );
      }
      assert.deepEqual([count("s21", "candidate"), count("s21", "judge")], [1, 0]);
      assert.deepEqual([count("s22", "candidate"), count("s22", "judge")], [1, 0]);
      assert.deepEqual([count("s23", "candidate"), count("s23", "judge")], [1, 1]);
    });
  });

  test("a 50 MB answer or judge answer is recorded as too_large, asked once, and the database stays small", async () => {
    const MB = 1024 * 1024;
    const attempts = new Map<string, number>();
    const script = (body: unknown): FakeReply => {
      const id = sampleOf(body);
      const role = isJudge(body) ? "judge" : "candidate";
      attempts.set(`${id}/${role}`, (attempts.get(`${id}/${role}`) ?? 0) + 1);
      if (id === "s01" && role === "candidate") return { largeText: 50 * MB };
      if (id === "s02" && role === "judge") return { largeText: 50 * MB, declareLength: true };
      return healthy(body);
    };
    await withServer({ script }, async (server) => {
      const samples = ids(6);
      const db = join(work, "large.db");
      const started = Date.now();
      const r = await runCli(evalArgs(writeDataset("large.jsonl", samples), db), { env: envFor(server) });
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.deepEqual(report.errorKinds, { "completion:too_large": 1, "judge:too_large": 1 });
      assert.equal(report.overall.graded, 4);
      const byId = verdicts(db);
      assertNeitherPassNorFail(byId.get("s01"), "s01", "error", "completion:too_large");
      assertNeitherPassNorFail(byId.get("s02"), "s02", "error", "judge:too_large");
      for (const id of samples.slice(2)) assertGradedCorrectly(byId.get(id), id);
      assert.equal(attempts.get("s01/candidate"), 1, "too large is not retried");
      assert.equal(attempts.get("s01/judge"), undefined, "nothing to grade");
      assert.equal(attempts.get("s02/judge"), 1, "too large is not retried");
      const size = [db, `${db}-wal`].filter((f) => existsSync(f)).reduce((n, f) => n + statSync(f).size, 0);
      assert.ok(size < 2 * MB, `the database takes ${size} bytes`);
      assert.ok(Date.now() - started < 30_000, "promptly");
    });
  });

  test("a judge answer that is not JSON or out of range leaves the sample ungraded, never pass or fail", async () => {
    const answers: Record<string, FakeReply> = {
      s01: { text: "I think the response is fine." },
      s02: { json: judgeJson(9) },
      s03: { json: judgeJson(0) },
      s04: { json: judgeJson("7") },
      s05: { json: judgeJson(6.5) },
      s06: { json: { compliance: 7, rationale: "no other fields" } },
      s07: { text: "", refusal: "I cannot grade this." },
      s08: { json: judgeJson(2) },
      s09: { text: `\`\`\`json\n${JSON.stringify(judgeJson(7))}\n\`\`\`` },
      s10: { malformed: true },
    };
    const script = (body: unknown) => (isJudge(body) && answers[sampleOf(body)]) || healthy(body);
    await withServer({ script }, async (server) => {
      const db = join(work, "judge.db");
      // Two attempts: s10's broken body is retried once (and is broken again).
      const r = await runCli(evalArgs(writeDataset("judge.jsonl", ids(10)), db, "--max-attempts", "2"), {
        env: envFor(server),
      });
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.equal(report.ungraded, 7);
      assert.equal(report.overall.graded, 2);
      assert.equal(report.overall.compliant, 1);
      assert.deepEqual(report.errorKinds, { "judge:malformed_response": 1 });
      const byId = verdicts(db);
      // Ungraded with its reason: unparseable answers apart from the refusal.
      for (const id of ["s01", "s02", "s03", "s04", "s05", "s06"]) {
        assertNeitherPassNorFail(byId.get(id), id, "ungraded", "judge:unparseable");
      }
      assertNeitherPassNorFail(byId.get("s07"), "s07", "ungraded", "judge:refused");
      assert.deepEqual(report.ungradedKinds, { "judge:refused": 1, "judge:unparseable": 6 });
      assert.deepEqual(
        { ...report.judgeAnswers },
        { usable: 2, unparseable: 6, refused: 1, partiallyGraded: 0, judged: 9 },
      );
      assertGradedCorrectly(byId.get("s08"), "s08");
      assertGradedCorrectly(byId.get("s09"), "s09"); // a fenced but valid answer is accepted
      assertNeitherPassNorFail(byId.get("s10"), "s10", "error", "judge:malformed_response");
      const conn = new Database(db, { readonly: true });
      const grades = conn.prepare("SELECT status, COUNT(*) AS n FROM grades GROUP BY status").all();
      conn.close();
      assert.deepEqual(grades, [
        { status: "ok", n: 2 },
        { status: "refused", n: 1 },
        { status: "unparseable", n: 6 },
      ]);
    });
  });

  test("kill -9 mid-run, then the same command: each sample graded exactly once, same totals, only the missing requests", async () => {
    const N = 40;
    const dataset = writeDataset("kill.jsonl", ids(N));
    const options = { latencyMs: 100, script: healthy };
    const flags = ["--concurrency", "2", "--judge-concurrency", "2"];
    await withServer(options, (server) =>
      withServer(options, async (reference) => {
        const db = join(work, "kill.db");
        const child = spawn(process.execPath, [CLI, ...evalArgs(dataset, db, ...flags)], {
          cwd: ROOT,
          env: { ...process.env, ...envFor(server) },
          stdio: "ignore",
        });
        const exited = new Promise<NodeJS.Signals | null>((resolve) =>
          child.on("exit", (_, signal) => resolve(signal)),
        );
        // The reference: the same command, uninterrupted, on a fresh database and its own server.
        const uninterrupted = runCli(evalArgs(dataset, join(work, "reference.db"), ...flags), {
          env: envFor(reference),
        });
        const count = (sql: string) => {
          const conn = new Database(db, { readonly: true, fileMustExist: true });
          try {
            return (conn.prepare(sql).get() as { n: number }).n;
          } finally {
            conn.close();
          }
        };
        for (let waited = 0; ; waited += 50) {
          assert.ok(waited < 30_000, "the eval made no progress");
          assert.equal(child.exitCode, null, "the eval ended before it could be killed");
          await new Promise((resolve) => setTimeout(resolve, 50));
          try {
            if (count("SELECT COUNT(*) AS n FROM verdicts") >= 8) break;
          } catch {
            // not created yet
          }
        }
        child.kill("SIGKILL");
        assert.equal(await exited, "SIGKILL");

        const conn = new Database(db);
        const state = conn
          .prepare(
            `SELECT (SELECT status FROM runs) AS status, (SELECT COUNT(*) FROM verdicts) AS verdicts,
               (SELECT COUNT(*) FROM completions) AS completions, (SELECT COUNT(*) FROM grades) AS grades`,
          )
          .get() as { status: string; verdicts: number; completions: number; grades: number };
        const answered = new Set(
          (conn.prepare("SELECT text FROM completions").all() as { text: string }[]).map((c) =>
            c.text.replace("answer for ", ""),
          ),
        );
        conn.close();
        assert.equal(state.status, "running", "a killed run is left as it was");
        assert.ok(state.verdicts < N, `killed before the end (${state.verdicts} verdicts)`);

        const before = server.requests.length;
        const resumed = await runCli(evalArgs(dataset, db, ...flags), { env: envFor(server) });
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.match(resumed.stderr, /Resuming run-\w+: 40 samples, \d+ already done/);
        const report = JSON.parse(resumed.stdout);

        // Only what was missing was asked for: completions not stored, and grades not stored.
        const asked = server.requests.slice(before);
        const candidateAsks = asked.filter((q) => !isJudge(q.body)).map((q) => sampleOf(q.body));
        assert.deepEqual(
          candidateAsks.sort(),
          ids(N).filter((id) => !answered.has(id)),
        );
        assert.equal(asked.filter((q) => isJudge(q.body)).length, N - state.grades);

        // Every sample completed and graded exactly once.
        const check = new Database(db, { readonly: true });
        const duplicates = (table: string) =>
          check
            .prepare(
              `SELECT sample_id, epoch, COUNT(*) AS n FROM ${table} GROUP BY sample_id, epoch HAVING n > 1`,
            )
            .all();
        assert.deepEqual(duplicates("run_samples"), []);
        assert.deepEqual(duplicates("verdicts"), []);
        const totals = check
          .prepare(
            `SELECT (SELECT COUNT(*) FROM run_samples) AS samples,
               (SELECT COUNT(*) FROM verdicts WHERE status = 'graded') AS graded,
               (SELECT COUNT(*) FROM completions) AS completions, (SELECT COUNT(*) FROM grades) AS grades,
               (SELECT status FROM runs) AS status`,
          )
          .get();
        check.close();
        assert.deepEqual(totals, { samples: N, graded: N, completions: N, grades: N, status: "completed" });

        const ref = await uninterrupted;
        assert.equal(ref.code, 0, ref.stderr);
        const expected = JSON.parse(ref.stdout);
        const totalsOf = (s: typeof report) => ({
          runId: s.runId,
          samples: s.samples,
          overall: s.overall,
          ungraded: s.ungraded,
          errors: s.errors,
          pending: s.pending,
          status: s.status,
        });
        assert.deepEqual(totalsOf(report), totalsOf(expected));
        assert.equal(reference.requests.length, 2 * N, "the reference run asked once per sample and role");
      }),
    );
  });

  test("two evals writing one database at once both complete, and the database passes integrity_check", async () => {
    await withServer({ latencyMs: 20, script: healthy }, async (server) => {
      const db = join(work, "shared.db");
      const dataset = writeDataset("shared.jsonl", ids(24));
      const run = (model: string) =>
        runCli(
          evalArgs(dataset, db, "--concurrency", "4", "--judge-concurrency", "4").map((a) =>
            a === "openai:candidate" ? model : a,
          ),
          { env: envFor(server) },
        );
      const [a, b] = await Promise.all([run("openai:candidate-a"), run("openai:candidate-b")]);
      for (const r of [a, b]) {
        assert.equal(r.code, 0, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.equal(report.status, "completed");
        assert.equal(report.overall.graded, 24);
      }
      assert.notEqual(JSON.parse(a.stdout).runId, JSON.parse(b.stdout).runId);
      const conn = new Database(db, { readonly: true });
      try {
        assert.deepEqual(conn.pragma("integrity_check"), [{ integrity_check: "ok" }]);
        assert.deepEqual(conn.prepare("SELECT model, status FROM runs ORDER BY model").all(), [
          { model: "openai:candidate-a", status: "completed" },
          { model: "openai:candidate-b", status: "completed" },
        ]);
        assert.deepEqual(
          conn.prepare("SELECT COUNT(*) AS n FROM verdicts WHERE status = 'graded' GROUP BY run_id").all(),
          [{ n: 24 }, { n: 24 }],
        );
      } finally {
        conn.close();
      }
    });
  });
});
