// `modelspec serve` as a user runs it: bad flags refused in one line before anything listens, a proxy that
// answers and stops cleanly on SIGTERM, and `modelspec eval` through it, unchanged.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startProxy } from "../../src/serve/index.js";
import { runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { CLI, ROOT, releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-serve-"));
let server: FakeLlmServer;

const isJudge = (body: unknown) => (body as { response_format?: unknown }).response_format !== undefined;
before(async () => {
  server = await startFakeLlmServer({
    script: (body): FakeReply =>
      isJudge(body)
        ? { json: { compliance: 7, rationale: "ok", relied_on_sections: [], failure_kind: "none" } }
        : { text: "A careful answer." },
  });
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const serve = (...extra: string[]) => [
  "serve",
  "--upstream",
  `${server.url}/v1`,
  "--spec",
  SPEC,
  "--port",
  "0",
  ...extra,
];

describe("modelspec serve", () => {
  for (const [flags, pattern] of [
    [
      ["--spotlight", "shout"],
      /^modelspec: option '--spotlight <mode>' argument 'shout' is invalid\. Allowed choices are delimit, datamark, base64, off\. \(see --help\)\n$/,
    ],
    [["--guard", "maybe"], /^modelspec: option '--guard <mode>' argument 'maybe' is invalid\..*\n$/],
    [["--guard", "flag"], /^modelspec: --guard flag needs --guard-model <provider:model>\n$/],
    [
      ["--rules", "root,no_such_section"],
      /^modelspec: rules: no section 'no_such_section' in spec 2025-12-18 .*\n$/,
    ],
    [
      ["--guard-rounds", "9"],
      /^modelspec: option '--guard-rounds <n>' argument '9' is invalid\. expected a whole number from 1 to 5 \(see --help\)\n$/,
    ],
    [
      ["--upstream", "https://me:hunter2@example.com/v1"],
      /^modelspec: --upstream: credentials in the URL are refused; pass the key with --upstream-key-env\n$/,
    ],
    [
      ["--upstream-key-env", "MODELSPEC_TEST_NO_SUCH_VAR"],
      /^modelspec: --upstream-key-env MODELSPEC_TEST_NO_SUCH_VAR: the variable is not set\n$/,
    ],
  ] as const) {
    test(`refuses ${flags.join(" ")} in one line, exit 2`, async () => {
      // The upstream given last wins: commander keeps the last value of a flag.
      const r = await runCli(serve(...flags));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stdout, "");
      assert.doesNotMatch(r.stderr, /hunter2/);
    });
  }

  test("listens, forwards, logs one JSON line per request, and stops on SIGTERM after the request in flight", {
    timeout: 60_000,
  }, async () => {
    const child = spawn(process.execPath, [CLI, ...serve()], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        const found = /http:\/\/127\.0\.0\.1:\d+\/v1/.exec(stdout)?.[0];
        if (found) resolve(found);
      });
      child.on("exit", () => reject(new Error(`serve exited: ${stderr}`)));
    });
    assert.match(
      stdout,
      /→ http:\/\/127\.0\.0\.1:\d+\/v1 {2}\(spec 2025-12-18; 25 rule sections; spotlight delimit; guard off; Ctrl-C to stop\)/,
    );
    server.setScript(() => ({ events: ["data: {}\n\n", "data: [DONE]\n\n"], gapMs: 300 }));
    const res = await fetch(`${url}/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-cli-secret-123456" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }], stream: true }),
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    assert.equal(await res.text(), "data: {}\n\ndata: [DONE]\n\n", "the request in flight finished");
    assert.equal(await exited, 0);
    assert.match(stdout, /modelspec serve: stopped\n$/);
    const lines = stderr.trim().split("\n");
    assert.equal(lines.length, 1, stderr);
    const line = JSON.parse(lines[0] ?? "{}");
    assert.deepEqual(
      [line.method, line.path, line.status, line.upstream, line.guard],
      ["POST", "/v1/chat/completions", 200, 200, "off"],
    );
    assert.doesNotMatch(stderr, /sk-cli-secret|"Hi"/);
  });

  test("the experiment: eval direct, then through the proxy into the same database, then compare", {
    timeout: 180_000,
  }, async () => {
    server.setScript(
      (body): FakeReply =>
        isJudge(body)
          ? { json: { compliance: 7, rationale: "ok", relied_on_sections: [], failure_kind: "none" } }
          : { text: "A careful answer." },
    );
    const proxy = await startProxy({
      upstream: `${server.url}/v1`,
      port: 0,
      runtime: { spec: SPEC },
      log: () => {},
    });
    const db = join(work, "experiment.db");
    const evalVia = (baseUrl: string) =>
      runCli(
        [
          "eval",
          "--spec",
          SPEC,
          "--section",
          "ignore_untrusted_data",
          "--model",
          "openai:candidate",
          "--base-url",
          baseUrl,
          "--judge",
          "openai:judge",
          "--judge-base-url",
          `${server.url}/v1`,
          "--db",
          db,
          "--json",
        ],
        { env: { OPENAI_API_KEY: "sk-test-eval", OPENAI_BASE_URL: undefined } },
      );
    try {
      const direct = await evalVia(`${server.url}/v1`);
      assert.equal(direct.code, 0, direct.stderr);
      const from = server.requests.length;
      const r = await evalVia(proxy.url);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { runId: string; samples: number; overall: { graded: number } };
      assert.ok(report.samples > 0);
      assert.equal(report.overall.graded, report.samples);
      // A new run whose completions came through the proxy, not from the direct run's cache: same model name,
      // another server.
      const candidates = server.requests.slice(from).filter((q) => !isJudge(q.body));
      assert.equal(candidates.length, report.samples);
      for (const q of candidates) {
        const first = (q.body as { messages: { role: string; content: string }[] }).messages[0];
        assert.equal(first?.role, "system");
        assert.match(first?.content ?? "", /^Platform rules from the Model Spec/);
      }
      const directId = (JSON.parse(direct.stdout) as { runId: string }).runId;
      assert.notEqual(directId, report.runId);
      const compared = await runCli(["compare", directId, report.runId, "--db", db]);
      assert.equal(compared.code, 0, compared.stderr);
    } finally {
      await proxy.close();
    }
  });
});
