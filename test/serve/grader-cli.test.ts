// `modelspec serve --grader` as a user runs it: bad flags refused in one line before anything listens; a grader
// that answers, never shows the judge's key (not even when the judge echoes it back), and stops on SIGINT.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { CLI, ROOT, releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const KEY = "sk-grader-secret-123456";
const work = mkdtempSync(join(tmpdir(), "modelspec-grader-cli-"));
let server: FakeLlmServer;

before(async () => {
  server = await startFakeLlmServer({
    script: (body): FakeReply => {
      const last = JSON.stringify((body as { messages?: unknown[] }).messages?.at(-1) ?? "");
      // The judge fails for one response, echoing the key it was sent, as broken proxies do.
      if (last.includes("echo-the-key")) return { status: 401, message: "bad key", echoAuth: true };
      return { json: { compliance: 6, rationale: "ok", relied_on_sections: [], failure_kind: "none" } };
    },
  });
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** The grader's command line (the refused forms are built before the server starts: they never reach it). */
const grader = (...extra: string[]) => [
  "serve",
  "--grader",
  "--judge",
  "openai:judge",
  "--judge-base-url",
  `${server?.url ?? "http://127.0.0.1:9"}/v1`,
  "--spec",
  SPEC,
  "--db",
  join(work, "results.db"),
  "--port",
  "0",
  ...extra,
];

describe("modelspec serve --grader", () => {
  for (const [args, pattern] of [
    [["serve", "--grader", "--spec", SPEC], /^modelspec: --grader needs --judge <provider:model>\n$/],
    [["serve", "--spec", SPEC], /^modelspec: serve needs --upstream <url> \(the proxy\) or --grader/],
    [
      ["serve", "--upstream", "http://127.0.0.1:9/v1", "--judge", "openai:judge"],
      /^modelspec: --judge grades with --grader: add --grader\n$/,
    ],
    [grader("--upstream", "http://127.0.0.1:9/v1"), /^modelspec: --grader serves grades, not the proxy/],
    [
      grader("--judge-concurrency", "0"),
      /^modelspec: option '--judge-concurrency <n>' argument '0' is invalid\. expected a whole number from 1 to 256 \(see --help\)\n$/,
    ],
    [grader("--threshold", "9"), /^modelspec: option '--threshold <score>' argument '9' is invalid\./],
    [grader("--spec", join(work, "no-such-spec")), /^modelspec: .*no-such-spec/],
  ] as const) {
    test(`refuses ${args.slice(1).join(" ").replace(SPEC, "<spec>").replaceAll(work, "<tmp>")} in one line, exit 2`, async () => {
      const r = await runCli([...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.equal(r.stdout, "");
    });
  }

  test("grades, keeps the judge's key out of answers and logs, and stops on SIGINT", {
    timeout: 60_000,
  }, async () => {
    const child = spawn(process.execPath, [CLI, ...grader("--grader-samples", "1")], {
      cwd: ROOT,
      env: { ...process.env, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: undefined },
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
        const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout)?.[0];
        if (found) resolve(found);
      });
      child.on("exit", () => reject(new Error(`serve --grader exited: ${stderr}`)));
    });
    assert.match(
      stdout,
      /^modelspec serve --grader: POST http:\/\/127\.0\.0\.1:\d+\/v1\/grade {2}\(judge openai:judge; spec 2025-12-18; Ctrl-C to stop\)\n/,
    );
    const grade = async (response: string) => {
      const res = await fetch(`${url}v1/grade`, {
        method: "POST",
        body: JSON.stringify({ messages: "Write a poem.", response, section_id: "be_creative" }),
      });
      return { status: res.status, text: await res.text() };
    };
    const ok = await grade("A poem.");
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.text), {
      score: 5 / 6,
      compliance: 6,
      verdict: "compliant",
      failure_kind: "none",
      relied_on_sections: [],
      reason: null,
      message: null,
    });
    const failed = await grade("echo-the-key");
    assert.equal(failed.status, 200);
    const body = JSON.parse(failed.text) as { score: unknown; verdict: string; reason: string };
    assert.deepEqual([body.score, body.verdict, body.reason], [null, "error", "judge:auth"]);
    assert.ok(
      server.requests.some((r) => JSON.stringify(r.headers).includes(KEY)),
      "the key was sent",
    );
    assert.doesNotMatch(failed.text, new RegExp(KEY));

    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    assert.equal(await exited, 0);
    assert.match(stdout, /modelspec serve --grader: stopped\n$/);
    assert.equal(stderr.trim().split("\n").length, 2, stderr);
    assert.doesNotMatch(stderr + stdout, new RegExp(KEY));
    assert.doesNotMatch(stderr, /A poem|echo-the-key/);
  });
});
