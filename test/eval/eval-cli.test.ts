import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-eval-"));
let server: FakeLlmServer;

type Body = { messages?: { role: string; content: string }[]; response_format?: unknown };
const isJudge = (body: unknown) => (body as Body).response_format !== undefined;
const judgeAnswer = (compliance: number): FakeReply => ({
  json: {
    compliance,
    rationale: "ok",
    relied_on_sections: ["be_creative"],
    failure_kind: compliance >= 6 ? "none" : "other",
  },
});

/** The candidate says "answer N"; the judge scores by the sample: a response mentioning "bad" gets 2. */
function defaultScript(body: unknown, index: number): FakeReply {
  if (!isJudge(body)) return { text: `answer ${index}` };
  const prompt = (body as Body).messages?.at(-1)?.content ?? "";
  return judgeAnswer(/<candidate_response-[0-9a-f]+>\n[^<]*bad/.test(prompt) ? 2 : 7);
}

before(async () => {
  server = await startFakeLlmServer({ script: defaultScript });
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({ OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-test-SENTINEL-4242" });
const evalArgs = (db: string, ...extra: string[]) => [
  "eval",
  "--spec",
  SPEC,
  "--model",
  "openai:candidate-model",
  "--judge",
  "openai:judge-model",
  "--db",
  join(work, db),
  "--max-attempts",
  "2",
  ...extra,
];

describe("modelspec eval against a loopback OpenAI-compatible server", () => {
  test("grades every sample, reports compliance with an interval, and a re-run pays nothing", async () => {
    server.setScript(defaultScript);
    const first = server.requests.length;
    // 12 judge calls in flight at once (4 samples x 3 grader samples): more abort listeners than Node's default.
    const r = await runCli(
      evalArgs(
        "a.db",
        "--section",
        "be_creative",
        "--grader-samples",
        "3",
        "--judge-concurrency",
        "12",
        "--json",
      ),
      { env: env() },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Warning/);
    const report = JSON.parse(r.stdout);
    const samples = report.samples as number;
    assert.ok(samples > 0);
    assert.deepEqual(report.overall.graded, samples);
    assert.equal(report.overall.compliant, samples);
    assert.equal(report.overall.rate, 1);
    assert.ok(report.overall.ci95[0] < 1 && report.overall.ci95[1] === 1);
    assert.deepEqual(
      report.bySection.map((s: { id: string }) => s.id),
      ["be_creative"],
    );
    assert.equal(report.byAuthority[0].id, "guideline");
    assert.equal(report.status, "completed");
    // one candidate call and two grader samples per sample: two agreeing of three settle the verdict
    assert.equal(server.requests.length - first, samples * 3);
    const judgeRequest = server.requests.slice(first).find((q) => isJudge(q.body));
    assert.ok(judgeRequest);
    const format = (
      judgeRequest.body as { response_format: { type: string; json_schema: { schema: unknown } } }
    ).response_format;
    assert.equal(format.type, "json_schema");
    assert.deepEqual((format.json_schema.schema as { required: string[] }).required, [
      "compliance",
      "rationale",
      "relied_on_sections",
      "failure_kind",
    ]);

    const before2 = server.requests.length;
    const again = await runCli(
      evalArgs("a.db", "--section", "be_creative", "--grader-samples", "3", "--json"),
      {
        env: env(),
      },
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(server.requests.length, before2, "the same command again makes no request");
    assert.equal(JSON.parse(again.stdout).runId, report.runId);
  });

  test("provider errors and unusable judge answers are counted apart, never as pass or fail", async () => {
    let calls = 0;
    server.setScript((body) => {
      calls++;
      const text = JSON.stringify(body);
      if (!isJudge(body)) {
        // one sample's candidate always fails with 500 (retried, then recorded as an error)
        return text.includes("love poem for my partner") ? { status: 500 } : { text: "fine" };
      }
      if (text.includes("innovative gadget")) return { malformed: true };
      if (text.includes("rogue named Thorne")) return { text: "I refuse to grade this." };
      if (text.includes("unique magic system")) return judgeAnswer(9);
      return judgeAnswer(6);
    });
    const r = await runCli(evalArgs("b.db", "--section", "be_creative", "--grader-samples", "1", "--json"), {
      env: env(),
    });
    // Every sample here fails one way or another: a run that graded nothing exits 1 and says why.
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^modelspec: no sample was graded \(4 samples: \d+ errors, \d+ ungraded\)$/m);
    const report = JSON.parse(r.stdout);
    assert.equal(report.errors >= 1, true);
    assert.ok(
      Object.keys(report.errorKinds).some((k) => k === "completion:server"),
      JSON.stringify(report.errorKinds),
    );
    assert.equal(report.overall.graded + report.ungraded + report.errors, report.samples);
    assert.equal(report.overall.compliant, report.overall.graded, "threshold 6: every usable 6 is compliant");
    assert.ok(calls > 0);
  });

  test("--fail-under exits 1 for CI; a bad dataset line is named; unknown provider is one line", async () => {
    server.setScript((body) => (isJudge(body) ? judgeAnswer(3) : { text: "meh" }));
    const low = await runCli(
      evalArgs("c.db", "--section", "be_creative", "--grader-samples", "1", "--fail-under", "80%"),
      {
        env: env(),
      },
    );
    assert.equal(low.code, 1);
    assert.match(low.stderr, /compliance 0\.0% is under --fail-under 80\.0%/);
    assert.match(low.stdout, /Overall compliance: 0\.0% \[/);

    const dataset = join(work, "bad.jsonl");
    writeFileSync(
      dataset,
      `${JSON.stringify({ id: "a", input: "hi", target: "be nice" })}\n{"id": "b", "input": 3}\n`,
    );
    const bad = await runCli(evalArgs("d.db", "--dataset", dataset), { env: env() });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, `modelspec: ${dataset}:2: input: Invalid input\n`);

    const unknown = await runCli([
      "eval",
      "--spec",
      SPEC,
      "--model",
      "foo:bar",
      "--judge",
      "openai:x",
      "--db",
      join(work, "e.db"),
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^modelspec: model 'foo:bar': unknown provider 'foo'/);
  });

  test("runs, export, regrade and compare work on stored results", async () => {
    server.setScript(defaultScript);
    const db = join(work, "a.db");
    const runs = JSON.parse((await runCli(["runs", "--db", db, "--json"])).stdout);
    assert.equal(runs.length, 1);
    const runId = runs[0].id as string;
    const exported = (await runCli(["export", runId, "--db", db, "--jsonl"])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(exported.length, runs[0].samples);
    assert.equal(exported[0].metadata.section_id, "be_creative");
    assert.match(exported[0].response, /^answer \d+$/);
    assert.equal(exported[0].grades.length, 2);
    assert.equal(exported[0].verdict.drawn, 2);
    assert.equal(exported[0].verdict.compliance, 7);

    // Regrade with a stricter judge: only judge calls, new run linked to the old one.
    server.setScript((body) => (isJudge(body) ? judgeAnswer(4) : { status: 500 }));
    const before = server.requests.length;
    const regrade = await runCli(
      ["regrade", runId, "--judge", "openai:strict-judge", "--grader-samples", "1", "--db", db, "--json"],
      {
        env: env(),
      },
    );
    assert.equal(regrade.code, 0, regrade.stderr);
    const report = JSON.parse(regrade.stdout);
    assert.equal(report.overall.rate, 0);
    assert.equal(report.errors, 0);
    assert.ok(server.requests.slice(before).every((q) => isJudge(q.body)));

    const compare = await runCli(["compare", runId, report.runId, "--db", db, "--json"]);
    const c = JSON.parse(compare.stdout);
    assert.equal(c.paired, report.samples);
    assert.equal(c.overall.diff, -1);
    // 4 discordant pairs all one way: exact two-sided p = 2 · 0.5^4
    assert.equal(c.overall.b, 4);
    assert.equal(c.overall.pValue, 0.125);
  });

  test("the API key never reaches the database, the export or the output", async () => {
    const db = join(work, "a.db");
    const { readFileSync } = await import("node:fs");
    for (const file of [db, `${db}-wal`]) {
      try {
        assert.ok(!readFileSync(file).includes("SENTINEL"), file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    const exported = await runCli(["export", "latest", "--db", db, "--jsonl"]);
    assert.ok(!exported.stdout.includes("SENTINEL"));
  });
});
