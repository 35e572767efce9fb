// API keys and credentials written into a base URL (user:password@, a fragment) never reach the results database
// (nor its write-ahead log) or the output of eval, report, export and runs: not when the server answers 401/500
// (or a 200 carrying an error) with a body that echoes the credentials it was sent, nor when nothing listens.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { ResultStore } from "../../src/store/index.js";
import { type CliResult, runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-secrets-"));
after(() => rmSync(work, { recursive: true, force: true }));

const sampleOf = (body: unknown) => /sample (s\d+)/.exec(JSON.stringify(body))?.[1] ?? "?";
const grade: FakeReply = {
  json: { compliance: 7, rationale: "fine", relied_on_sections: [], failure_kind: "none" },
};
const echo = (status: number): FakeReply => ({ status, echoAuth: true, message: "denied" });

/**
 * The candidate is OpenAI-compatible, the judge Anthropic, both on the fake server. Some samples meet a 401 or a
 * 500 whose body echoes the Authorization / x-api-key header, once or every time.
 */
function script(): (body: unknown, index: number, request: { api: string }) => FakeReply {
  const seen = new Set<string>();
  return (body, _, request) => {
    const id = sampleOf(body);
    const first = !seen.has(`${request.api}/${id}`);
    seen.add(`${request.api}/${id}`);
    if (request.api === "openai") {
      if (id === "s01") return echo(401);
      if (id === "s02" && first) return echo(500);
      if (id === "s03") return echo(500);
      return { text: `answer for ${id}` };
    }
    if (id === "s04") return echo(401);
    if (id === "s05") return echo(500);
    if (id === "s06" && first) return echo(503);
    return grade;
  };
}

const dataset = join(work, "secrets.jsonl");
writeFileSync(
  dataset,
  ["s01", "s02", "s03", "s04", "s05", "s06", "s07"]
    .map((id) => JSON.stringify({ id, input: `sample ${id}: hello`, target: "be kind" }))
    .join("\n"),
);

const envWith = (server: FakeLlmServer, key: string) => ({
  OPENAI_BASE_URL: `${server.url}/v1`,
  OPENAI_API_KEY: key,
  ANTHROPIC_BASE_URL: server.url,
  ANTHROPIC_API_KEY: key,
});

/** Every file of the database (main file, write-ahead log, shared memory) that exists. */
function databaseFiles(db: string): string[] {
  return [db, `${db}-wal`, `${db}-shm`].filter((f) => existsSync(f));
}

function assertAbsent(marker: string, label: string, text: string | Buffer) {
  assert.ok(!text.includes(marker), `${label} contains ${marker}`);
}

/** Runs eval, then report, export and runs on its database, and checks every output and database file. */
async function evalAndInspect(key: string, marker: string, db: string, evalFlags: string[]) {
  const server = await startFakeLlmServer({ script: script() });
  try {
    return await inspect(server, key, marker, db, evalFlags);
  } finally {
    await server.close();
  }
}

const evalArgs = (db: string, ...flags: string[]) => [
  "eval",
  "--spec",
  SPEC,
  "--dataset",
  dataset,
  "--model",
  "openai:candidate",
  "--judge",
  "anthropic:claude-judge",
  "--grader-samples",
  "1",
  "--judge-context",
  "section",
  "--max-attempts",
  "2",
  "--db",
  db,
  ...flags,
];

/**
 * Runs an eval, then report, export and runs on its database, and checks that no marker is in any database file
 * (the write-ahead log included) or in any command's stdout or stderr.
 */
async function runAndCheck(
  db: string,
  args: string[],
  env: Record<string, string>,
  markers: string[],
  /** 1 when nothing can be graded (a run that graded nothing exits 1). */
  code = 0,
): Promise<[string, CliResult][]> {
  const assertClean = (label: string, text: string | Buffer) => {
    for (const marker of markers) assertAbsent(marker, label, text);
  };
  // A connection held open during the eval keeps the write-ahead log there to inspect when the eval exits
  // (the last connection to close would fold it into the database and delete it). Opening the store creates the
  // database in WAL mode (listing runs no longer creates one).
  ResultStore.open(db).close();
  const holder = new Database(db);
  holder.prepare("SELECT COUNT(*) FROM sqlite_master").get();
  const outputs: [string, CliResult][] = [];
  try {
    const r = await runCli(args, { env });
    assert.equal(r.code, code, r.stderr);
    outputs.push(["eval", r]);
    assert.ok(existsSync(`${db}-wal`), "the write-ahead log is kept while a connection is open");
    for (const file of databaseFiles(db)) assertClean(file, readFileSync(file));
  } finally {
    holder.close();
  }
  for (const file of databaseFiles(db)) assertClean(file, readFileSync(file));

  const commands = [
    ["report", "latest"],
    ["report", "latest", "--json"],
    ["export", "latest", "--jsonl"],
    ["runs"],
    ["runs", "--json"],
  ];
  const results = await Promise.all(commands.map((command) => runCli([...command, "--db", db], { env })));
  commands.forEach((command, i) => {
    const r = results[i] as CliResult;
    assert.equal(r.code, 0, `${command.join(" ")}: ${r.stderr}`);
    outputs.push([command.join(" "), r]);
  });
  for (const [label, r] of outputs) {
    assertClean(`${label} stdout`, r.stdout);
    assertClean(`${label} stderr`, r.stderr);
  }
  return outputs;
}

/** The error verdicts of a database, by sample: kind and message. */
function errorVerdicts(db: string) {
  const conn = new Database(db, { readonly: true });
  try {
    return conn
      .prepare(
        "SELECT sample_id, error_kind, error_message FROM verdicts WHERE status = 'error' ORDER BY sample_id",
      )
      .all() as { sample_id: string; error_kind: string; error_message: string }[];
  } finally {
    conn.close();
  }
}

async function inspect(server: FakeLlmServer, key: string, marker: string, db: string, evalFlags: string[]) {
  const outputs = await runAndCheck(db, evalArgs(db, ...evalFlags), envWith(server, key), [marker]);

  // Not vacuous: the key was sent with every request, and echoed back in error bodies and headers.
  const requests = server.requests;
  assert.ok(requests.every((q) => JSON.stringify(q.headers).includes(key)));
  const echoed = requests.filter((q) => q.response?.headers["x-echo-authorization"] !== undefined);
  assert.ok(
    echoed.some((q) => q.api === "openai" && q.response?.headers["x-echo-authorization"]?.includes(key)),
  );
  assert.ok(echoed.some((q) => q.api === "anthropic"));
  // ... and those errors were recorded, with the key redacted from their messages.
  const errors = errorVerdicts(db);
  assert.deepEqual(
    errors.map((e) => [e.sample_id, e.error_kind]),
    [
      ["s01", "completion:auth"],
      ["s03", "completion:server"],
      ["s04", "judge:auth"],
      ["s05", "judge:server"],
    ],
  );
  for (const e of errors.filter((e) => e.sample_id !== "s04" && e.sample_id !== "s05")) {
    assert.match(e.error_message, /you sent authorization=Bearer .*redacted/);
  }
  return outputs;
}

/** A port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The base URL as recorded with the run. */
function recordedBaseUrl(db: string): unknown {
  const conn = new Database(db, { readonly: true });
  try {
    const { params } = conn.prepare("SELECT params FROM runs").get() as { params: string };
    return (JSON.parse(params) as { baseUrl?: unknown }).baseUrl;
  } finally {
    conn.close();
  }
}

describe("API keys stay secret", { concurrency: true }, () => {
  test("an sk- shaped key, echoed back by 401 and 500 answers, reaches neither the database nor any output", async () => {
    await evalAndInspect("sk-test-SENTINEL-9f8e7d", "SENTINEL", join(work, "sk.db"), []);
  });

  test("a key of any other shape is redacted as well (eval --json)", async () => {
    const outputs = await evalAndInspect("plain-SECRET-value-5c4b3a", "SECRET", join(work, "plain.db"), [
      "--json",
    ]);
    const report = JSON.parse(outputs[0]?.[1].stdout ?? "{}");
    assert.equal(report.errors, 4);
  });
});

describe("credentials written into a base URL stay secret", { concurrency: true }, () => {
  const userinfo = "alice:PW-SENTINEL";
  const basic = Buffer.from(userinfo).toString("base64");
  // The password, the Basic credentials it is sent as, and a fragment that is not part of any request.
  const markers = ["PW-SENTINEL", basic, "FRAG-SENTINEL"];
  const baseUrlOf = (origin: string) => `${origin.replace("://", `://${userinfo}@`)}/v1#FRAG-SENTINEL`;

  test("a closed port: the connection errors are recorded, the password is in no database file or output", async () => {
    const port = await closedPort();
    const judge = await startFakeLlmServer({ defaultReply: grade });
    try {
      const db = join(work, "closed-port.db");
      const flags = ["--base-url", baseUrlOf(`http://127.0.0.1:${port}`)];
      const [[, run]] = (await runAndCheck(
        db,
        evalArgs(db, ...flags),
        envWith(judge, "sk-test-judge-key"),
        markers,
        1,
      )) as [[string, CliResult]];
      assert.match(run.stderr, /no sample was graded \(7 samples: 7 errors, 0 ungraded\)/);
      const errors = errorVerdicts(db);
      assert.equal(errors.length, 7);
      assert.ok(
        errors.every((e) => e.error_kind === "completion:network"),
        JSON.stringify(errors),
      );
      assert.equal(recordedBaseUrl(db), `http://127.0.0.1:${port}/v1`);
      assert.equal(judge.requests.length, 0);
    } finally {
      await judge.close();
    }
  });

  test("the fake server: sent as Basic authentication; echoed back by 401, 500 and 200 answers, redacted", async () => {
    const server = await startFakeLlmServer({
      script: (body, _, request) => {
        if (request.api !== "openai") return grade;
        const id = sampleOf(body);
        if (id === "s01") return { status: 401, echoAuth: true, message: "denied" };
        if (id === "s02") return { status: 500, echoAuth: "url-encoded", message: "boom" };
        if (id === "s03") return { status: 200, echoAuth: true, message: "upstream failed" };
        return { text: `answer for ${id}` };
      },
    });
    try {
      const db = join(work, "basic-auth.db");
      const flags = ["--base-url", baseUrlOf(server.url)];
      await runAndCheck(db, evalArgs(db, ...flags), envWith(server, "sk-test-other-key"), markers);
      assert.deepEqual(
        errorVerdicts(db).map((e) => [e.sample_id, e.error_kind]),
        [
          ["s01", "completion:auth"],
          ["s02", "completion:server"],
          ["s03", "completion:server"],
        ],
      );
      assert.equal(recordedBaseUrl(db), `${server.url}/v1`);
      // Not vacuous: the credentials went with every candidate request, and came back in the error answers.
      const candidate = server.requests.filter((q) => q.api === "openai");
      assert.ok(candidate.length >= 7);
      assert.ok(candidate.every((q) => q.headers.authorization === `Basic ${basic}`));
      assert.ok(candidate.some((q) => q.response?.headers["x-echo-authorization"] === `Basic ${basic}`));
    } finally {
      await server.close();
    }
  });
});
