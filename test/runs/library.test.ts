// The library surface: evaluate/regrade/calibrate in-process, the same runs as the CLI's (same ids, resumable
// from either side), Provider instances, typed errors, and reading results back.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  calibrate,
  compareRuns,
  DatabaseError,
  DatasetError,
  evaluate,
  type GenerateRequest,
  ModelspecError,
  openResults,
  type Provider,
  ProviderError,
  type RunProgress,
  regrade,
  SpecError,
  summarizeRun,
  UsageError,
} from "../../src/index.js";
import { runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-library-"));
let server: FakeLlmServer;

type Body = { response_format?: unknown };
const judgeAnswer = (compliance: number): FakeReply => ({
  json: {
    compliance,
    rationale: "ok",
    relied_on_sections: [],
    failure_kind: compliance >= 6 ? "none" : "other",
  },
});
const script = (body: unknown, index: number): FakeReply =>
  (body as Body).response_format === undefined
    ? { text: `answer ${index}` }
    : judgeAnswer(index % 4 === 0 ? 2 : 7);

before(async () => {
  server = await startFakeLlmServer({ script });
  // Keys and servers come from options or the environment: make the environment say nothing.
  delete process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_BASE_URL;
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** Captures what is written to stdout while `work` runs: the library must write nothing. */
async function silently<T>(work: () => Promise<T>): Promise<{ result: T; stdout: string }> {
  const write = process.stdout.write;
  let stdout = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await work(), stdout };
  } finally {
    process.stdout.write = write;
  }
}

// A port nothing listens on: requests fail at once, which is all the identity tests need (ids are made first).
const CLOSED = "http://127.0.0.1:9/v1";

describe("run identity: the library names runs exactly as the CLI always has", () => {
  // Run ids printed by modelspec 0.1.0's CLI (commit 7043267) for the same inputs: stored runs stay resumable.
  test("eval, with defaults and with every option set", async () => {
    const db = join(work, "identity.db");
    const common = { spec: SPEC, model: "openai:cand", judge: "openai:judge", maxAttempts: 1, db };
    const basic = await evaluate({
      ...common,
      section: ["be_creative"],
      graderSamples: 1,
      baseUrl: CLOSED,
      judgeBaseUrl: CLOSED,
    });
    assert.equal(basic.runId, "run-48931c75074b");
    assert.equal(basic.errors, basic.samples, "nothing listens: every sample is an error, none graded");
    const everything = await evaluate({
      ...common,
      top: ["stay_in_bounds"],
      authority: ["user"],
      limit: 3,
      seed: 7,
      epochs: 2,
      temperature: 0.5,
      maxTokens: 99,
      judgeTemperature: 0,
      judgeMaxTokens: 77,
      threshold: 5,
      judgeContext: "section",
      graderSamples: 2,
      // Credentials and the query are not part of a run's identity (nor ever stored).
      baseUrl: "http://u:pw@127.0.0.1:9/v1?k=1",
      judgeBaseUrl: "http://127.0.0.1:9/v2",
    });
    assert.equal(everything.runId, "run-ed640da2e092");
    const examples = await evaluate({
      ...common,
      dataset: "examples",
      section: ["be_creative"],
      baseUrl: CLOSED,
      judgeBaseUrl: CLOSED,
    });
    assert.equal(examples.runId, "run-90a5aa9756b0");
  });

  test("regrade and calibrate", async () => {
    const db = join(work, "identity.db");
    const again = await regrade({
      run: "run-48931c75074b",
      judge: "openai:judge2",
      graderSamples: 2,
      judgeTemperature: 0.3,
      maxAttempts: 1,
      judgeBaseUrl: CLOSED,
      db,
    });
    assert.equal(again.runId, "run-5972420762f1");
    const third = await regrade({
      run: "run-48931c75074b",
      judge: "openai:judge3",
      maxAttempts: 1,
      judgeBaseUrl: CLOSED,
      db,
    });
    assert.equal(third.runId, "run-fe3ee9995773");
    const cal = await calibrate({
      spec: SPEC,
      judge: "openai:judge",
      section: ["be_creative"],
      graderSamples: 1,
      maxAttempts: 1,
      judgeBaseUrl: CLOSED,
      db,
    });
    assert.equal(cal.runId, "cal-b18da5aebc40");
  });
});

describe("evaluate", () => {
  const options = (db: string) => ({
    spec: SPEC,
    model: "openai:candidate",
    judge: "openai:judge",
    section: ["be_creative"],
    baseUrl: `${server.url}/v1`,
    judgeBaseUrl: `${server.url}/v1`,
    db: join(work, db),
  });

  /** The same eval as `options(db)`, through the CLI. */
  const cliEval = (db: string) =>
    runCli(
      [
        "eval",
        "--spec",
        SPEC,
        "--model",
        "openai:candidate",
        "--judge",
        "openai:judge",
        "--section",
        "be_creative",
        "--base-url",
        `${server.url}/v1`,
        "--judge-base-url",
        `${server.url}/v1`,
        "--db",
        join(work, db),
        "--json",
      ],
      { env: { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined } },
    );

  test("returns the summary `eval --json` prints, writes nothing to stdout, and resumes a CLI run", async () => {
    const cli = await cliEval("cli-first.db");
    assert.equal(cli.code, 0, cli.stderr);
    const printed = JSON.parse(cli.stdout);
    const requests = server.requests.length;
    const progress: RunProgress[] = [];
    const { result, stdout } = await silently(() =>
      evaluate({ ...options("cli-first.db"), onProgress: (p) => progress.push({ ...p }) }),
    );
    assert.equal(stdout, "");
    assert.equal(server.requests.length, requests, "the CLI's run is complete: nothing is asked again");
    assert.equal(progress[0]?.runId, printed.runId);
    assert.equal(progress[0]?.resumed, true);
    assert.equal(progress[0]?.done, progress[0]?.total);
    assert.deepEqual(result, printed);
  });

  test("a stopped run is interrupted; the CLI's same command resumes it and pays only for the rest", async () => {
    const controller = new AbortController();
    const stopped = await evaluate({
      ...options("library-first.db"),
      concurrency: 1,
      judgeConcurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 1) controller.abort();
      },
    });
    assert.equal(stopped.status, "interrupted");
    assert.ok(stopped.pending > 0 && stopped.pending < stopped.samples, `pending ${stopped.pending}`);
    const before = server.requests.length;
    const cli = await cliEval("library-first.db");
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stderr, new RegExp(`Resuming ${stopped.runId}`));
    const finished = JSON.parse(cli.stdout);
    assert.equal(finished.runId, stopped.runId);
    assert.equal(finished.status, "completed");
    assert.equal(finished.pending, 0);
    const asked = server.requests.slice(before);
    const judged = asked.filter((r) => (r.body as Body).response_format !== undefined).length;
    // Two or three grader samples for each pending sample (early stopping), no more.
    assert.ok(judged >= 2 * stopped.pending && judged <= 3 * stopped.pending, `${judged} judge calls`);
    // The judge prompt's boundary token was drawn once, stored with the run, and kept when the CLI resumed it.
    const results = openResults(join(work, "library-first.db"));
    try {
      const boundary = results.findRun(stopped.runId).params.judging.boundary;
      assert.match(boundary ?? "", /^[0-9a-f]{32}$/);
      const prompts = asked
        .filter((r) => (r.body as Body).response_format !== undefined)
        .map((r) => JSON.stringify(r.body));
      assert.ok(
        prompts.every((p) => p.includes(`candidate_response-${boundary}`)),
        "every judge prompt carries the run's token",
      );
    } finally {
      results.close();
    }
    assert.ok(asked.length - judged <= stopped.pending, "at most one completion for each pending sample");
  });

  test("model and judge may be Provider instances", async () => {
    const seen: GenerateRequest[] = [];
    const candidate: Provider = {
      id: "custom:echo",
      async generate(request) {
        seen.push(request);
        return { text: "I can help with that.", usage: { inputTokens: 3, outputTokens: 5 } };
      },
    };
    const judge: Provider = {
      id: "custom:judge",
      async generate() {
        return {
          text: JSON.stringify({
            compliance: 6,
            rationale: "fine",
            relied_on_sections: [],
            failure_kind: "none",
          }),
          usage: { inputTokens: 100, outputTokens: 10 },
        };
      },
    };
    const summary = await evaluate({
      spec: SPEC,
      model: candidate,
      judge,
      section: ["be_creative"],
      db: join(work, "instances.db"),
    });
    assert.equal(summary.model, "custom:echo");
    assert.equal(summary.judge, "custom:judge");
    assert.equal(summary.overall.graded, summary.samples);
    assert.equal(summary.overall.compliant, summary.samples);
    assert.equal(seen.length, summary.samples);
    assert.equal(summary.tokens.candidate.output, 5 * summary.samples);
  });
});

describe("typed errors, each with a stable code", () => {
  const base = {
    spec: SPEC,
    model: "openai:candidate",
    judge: "openai:judge",
    baseUrl: CLOSED,
    judgeBaseUrl: CLOSED,
  };
  const expectError = async (
    call: Promise<unknown>,
    type: new (...args: never[]) => ModelspecError,
    code: string,
    message: RegExp,
  ) => {
    await assert.rejects(call, (error: unknown) => {
      assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
      assert.ok(error instanceof ModelspecError);
      assert.equal(error.code, code);
      assert.match(error.message, message);
      return true;
    });
  };

  test("usage, spec, dataset, database and provider errors", async () => {
    const db = join(work, "errors.db");
    await expectError(
      evaluate({ ...base, db, graderSample: 3 } as never),
      UsageError,
      "ERR_USAGE",
      /unknown option 'graderSample'/,
    );
    await expectError(evaluate({ ...base, db, epochs: -1 }), UsageError, "ERR_USAGE", /option epochs/);
    await expectError(
      evaluate({ ...base, db, section: ["no_such_section"] }),
      UsageError,
      "ERR_USAGE",
      /no such section/,
    );
    await expectError(
      evaluate({ ...base, db, model: "nope:x" }),
      UsageError,
      "ERR_USAGE",
      /unknown provider 'nope'/,
    );
    await expectError(
      evaluate({ ...base, db, spec: join(work, "nowhere") }),
      SpecError,
      "ERR_SPEC",
      /no such folder/,
    );
    const dataset = join(work, "bad.jsonl");
    writeFileSync(dataset, '{"id": "a", "input": "hi", "target": "be kind"}\nnot json\n');
    await expectError(
      evaluate({ ...base, db, dataset }),
      DatasetError,
      "ERR_DATASET",
      /bad\.jsonl:2: not valid JSON/,
    );
    const corrupt = join(work, "corrupt.db");
    writeFileSync(corrupt, "not a database ".repeat(100));
    await expectError(
      evaluate({ ...base, db: corrupt, section: ["be_creative"] }),
      DatabaseError,
      "ERR_DATABASE",
      /cannot open results database/,
    );
    await expectError(
      evaluate({ ...base, db, section: ["be_creative"], baseUrl: undefined, judgeBaseUrl: undefined }),
      ProviderError,
      "ERR_PROVIDER",
      /OPENAI_API_KEY/,
    );
    await expectError(
      regrade({ run: "run-none", judge: "openai:judge", db: join(work, "identity.db") }),
      UsageError,
      "ERR_USAGE",
      /no run 'run-none'/,
    );
    assert.throws(() => openResults(join(work, "missing.db")), DatabaseError);
  });
});

describe("reading results", () => {
  test("openResults lists runs, summarises, compares and exports as an async iterable", async () => {
    const db = join(work, "identity.db");
    const results = openResults(db);
    try {
      const runs = results.listRuns();
      assert.ok(runs.length >= 5);
      const parent = results.findRun("run-48931c75074b");
      assert.equal(parent.params.kind, "eval");
      const child = results.findRun("run-5972420762f1");
      assert.equal(child.params.kind, "regrade");
      assert.ok(child.params.kind === "regrade" && child.params.regradeOf === parent.id);
      assert.equal(results.findRun("cal-").params.kind, "calibration");
      const summary = results.summary(parent);
      assert.deepEqual(summary, summarizeRun({ db, run: parent.id }));
      let exported = 0;
      for await (const record of results.export(parent.id)) {
        assert.equal(record.runId, parent.id);
        assert.equal(record.verdict?.status, "error");
        exported++;
      }
      assert.equal(exported, summary.samples);
      assert.deepEqual(compareRuns({ db, a: parent.id, b: child.id }), results.compare(parent.id, child.id));
    } finally {
      results.close();
    }
  });
});
