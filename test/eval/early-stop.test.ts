// Early stopping of judge sampling through the CLI and the library, counted on the loopback server: the judge
// is asked only as often as the verdict needs, `--grader-samples-all` asks all N, the drawn grades are reused,
// and a run stored before early stopping keeps drawing all N when resumed.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { evaluate } from "../../src/index.js";
import { runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-early-stop-"));
let server: FakeLlmServer;

type Body = { messages?: { content: string }[]; response_format?: unknown };
const isJudge = (body: unknown) => (body as Body).response_format !== undefined;
const judgeAnswer = (compliance: number): FakeReply => ({
  json: {
    compliance,
    rationale: "ok",
    relied_on_sections: [],
    failure_kind: compliance >= 6 ? "none" : "other",
  },
});

/**
 * A judge whose answers for one sample follow `scores` in the order it is asked (the prompt names the sample's
 * response, which differs per sample): the first request for a prompt gets scores[0], the next scores[1], ….
 */
function scripted(scores: number[]) {
  const asked = new Map<string, number>();
  return (body: unknown, index: number): FakeReply => {
    if (!isJudge(body)) return { text: `answer ${index}` };
    const prompt = (body as Body).messages?.at(-1)?.content ?? "";
    const n = asked.get(prompt) ?? 0;
    asked.set(prompt, n + 1);
    return judgeAnswer(scores[n % scores.length] ?? 7);
  };
}

before(async () => {
  server = await startFakeLlmServer();
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({ OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-test" });
const evalArgs = (db: string, ...extra: string[]) => [
  "eval",
  ...["--spec", SPEC, "--model", "openai:candidate", "--judge", "openai:judge"],
  ...["--section", "be_creative", "--db", join(work, db), "--json", ...extra],
];

/** Runs the CLI and counts the judge requests it made. */
async function judgeCalls(args: string[]) {
  const first = server.requests.length;
  const r = await runCli(args, { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  const calls = server.requests.slice(first).filter((q) => isJudge(q.body)).length;
  return { summary, calls };
}

function exported(db: string) {
  return runCli(["export", "latest", "--db", join(work, db), "--jsonl"]).then((r) =>
    r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { verdict: { drawn: number; compliance: number }; grades: unknown[] }),
  );
}

describe("early stopping on the scripted server", () => {
  test("N=3, a judge that agrees: exactly two judge calls per sample", async () => {
    server.setScript(scripted([7, 7, 7]));
    const { summary, calls } = await judgeCalls(evalArgs("agree.db", "--grader-samples", "3"));
    assert.ok(summary.samples > 1);
    assert.equal(calls, 2 * summary.samples);
    assert.equal(summary.overall.compliant, summary.samples);
    assert.deepEqual(
      { earlyStop: summary.grading.earlyStop, meanDrawn: summary.grading.meanDrawn },
      { earlyStop: true, meanDrawn: 2 },
    );
    for (const record of await exported("agree.db")) {
      assert.equal(record.verdict.drawn, 2);
      assert.equal(record.grades.length, 2);
    }
  });

  test("N=3, the first two answers disagree: the third is drawn", async () => {
    server.setScript(scripted([7, 2, 6]));
    const { summary, calls } = await judgeCalls(evalArgs("disagree.db", "--grader-samples", "3"));
    assert.equal(calls, 3 * summary.samples);
    assert.equal(summary.overall.compliant, summary.samples, "median of 7, 2, 6 is 6: compliant");
    assert.equal(summary.grading.meanDrawn, 3);
  });

  test("--grader-samples-all draws all three; a regrade with it asks only for the ones not drawn", async () => {
    server.setScript(scripted([7, 7, 7]));
    const early = await judgeCalls(evalArgs("all.db", "--grader-samples", "3"));
    assert.equal(early.calls, 2 * early.summary.samples);
    const regrade = await judgeCalls([
      ...["regrade", early.summary.runId, "--judge", "openai:judge", "--grader-samples-all"],
      ...["--db", join(work, "all.db"), "--json"],
    ]);
    assert.equal(regrade.calls, early.summary.samples, "only the third grader sample of each is asked for");
    assert.equal(regrade.summary.grading.earlyStop, false);
    assert.equal(regrade.summary.grading.meanDrawn, 3);
    // As a new eval (a run of its own, with its own judge prompts): all three from the judge.
    const all = await judgeCalls(evalArgs("all.db", "--grader-samples", "3", "--grader-samples-all"));
    assert.notEqual(all.summary.runId, early.summary.runId, "drawing all N is another run");
    assert.equal(all.calls, 3 * all.summary.samples);
    assert.equal(all.summary.grading.earlyStop, false);
  });

  test("a run stored before early stopping resumes drawing all N (same id, one rule per run)", async () => {
    server.setScript(scripted([7, 7, 7]));
    const db = join(work, "old.db");
    const options = {
      spec: SPEC,
      model: "openai:candidate",
      judge: "openai:judge",
      section: ["be_creative"],
      baseUrl: `${server.url}/v1`,
      judgeBaseUrl: `${server.url}/v1`,
      concurrency: 1,
      judgeConcurrency: 1,
      db,
    };
    const controller = new AbortController();
    const stopped = await evaluate({
      ...options,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 1) controller.abort();
      },
    });
    assert.equal(stopped.status, "interrupted");
    // Make it a run of an older modelspec: its stored settings say nothing about early stopping.
    const conn = new Database(db);
    const row = conn.prepare("SELECT params FROM runs WHERE id = ?").get(stopped.runId) as { params: string };
    const params = JSON.parse(row.params);
    assert.equal(params.judging.earlyStop, true);
    delete params.judging.earlyStop;
    conn.prepare("UPDATE runs SET params = ? WHERE id = ?").run(JSON.stringify(params), stopped.runId);
    conn.close();

    const first = server.requests.length;
    const resumed = await evaluate(options);
    assert.equal(resumed.runId, stopped.runId);
    assert.equal(resumed.status, "completed");
    const calls = server.requests.slice(first).filter((q) => isJudge(q.body)).length;
    assert.equal(calls, 3 * stopped.pending, "every remaining sample drew all three");
    assert.equal(resumed.grading.earlyStop, false);
  });
});
