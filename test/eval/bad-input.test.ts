// Bad input through the CLI: every case is refused with exactly one line on stderr starting with
// `modelspec:`, a non-zero exit and no stack trace, and nothing is written or sent.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type CliResult, runCli } from "../support/cli.js";
import { type FakeLlmServer, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-bad-input-"));
let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** Keys and endpoints for a run that could otherwise go ahead, against the loopback server only. */
const env = () => ({
  OPENAI_BASE_URL: `${server.url}/v1`,
  OPENAI_API_KEY: "sk-test-bad-input",
  ANTHROPIC_BASE_URL: server.url,
  ANTHROPIC_API_KEY: "sk-ant-test-bad-input",
});

const evalArgs = (db: string, ...extra: string[]) => [
  "eval",
  "--spec",
  SPEC,
  // A test's own --model replaces this one (--model is repeatable: two would be two models).
  ...(extra.includes("--model") ? [] : ["--model", "openai:candidate"]),
  "--judge",
  "openai:judge",
  "--grader-samples",
  "1",
  "--db",
  db,
  ...extra,
];

/** The eval with another candidate (`--model` is repeatable: a second one would be a second run). */
const withModel = (db: string, model: string) =>
  evalArgs(db).map((a) => (a === "openai:candidate" ? model : a));

/** Exactly one line, `modelspec: …`, matching `pattern`; exit 2 (user error); no stack trace; stdout empty. */
function assertRefused(r: CliResult, pattern: RegExp) {
  const lines = r.stderr.split("\n").filter((line) => line !== "");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] ?? "", /^modelspec: /);
  assert.match(lines[0] ?? "", pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  assert.equal(r.stdout, "");
  assert.equal(r.code, 2);
}

/** A database path in a folder of its own, so "nothing written" covers the folder too. */
function freshDb(name: string): { dir: string; db: string } {
  const dir = join(work, name);
  return { dir, db: join(dir, "results.db") };
}

function dataset(name: string, lines: string[]): string {
  const path = join(work, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}
const line = (id: string, input: unknown = `prompt ${id}`) =>
  JSON.stringify({ id, input, target: "be kind" });

describe("bad input is refused with one clear line", { concurrency: true }, () => {
  test("malformed dataset JSONL: the bad line is named by number, the run is refused, nothing written or sent", async () => {
    const cases = [
      {
        name: "bad-json.jsonl",
        lines: [line("a"), line("b"), '{"id": "c", "input": "unterminated', line("d")],
        error: ":3: not valid JSON",
      },
      {
        name: "wrong-type.jsonl",
        lines: [line("a"), line("b", 3), line("c")],
        error: ":2: input: Invalid input",
      },
      {
        name: "duplicate-id.jsonl",
        lines: [line("a"), line("b"), line("c"), line("a")],
        error: ":4: duplicate id 'a'",
      },
    ];
    const requestsBefore = server.requests.length;
    await Promise.all(
      cases.map(async ({ name, lines, error }) => {
        const path = dataset(name, lines);
        const { dir, db } = freshDb(`refused-${name}`);
        const r = await runCli(evalArgs(db, "--dataset", path), { env: env() });
        assertRefused(r, new RegExp(`^modelspec: ${escapeRegExp(path)}${escapeRegExp(error)}$`));
        assert.equal(existsSync(dir), false, "no database (nor its folder) was created");
      }),
    );
    assert.equal(server.requests.length, requestsBefore, "no request was sent");
  });

  test("unknown or missing model prefix", async () => {
    const { dir, db } = freshDb("unknown-prefix");
    const [unknown, bare] = await Promise.all([
      runCli(withModel(db, "foo:bar"), { env: env() }),
      runCli(evalArgs(db, "--judge", "gpt-5"), { env: env() }),
    ]);
    assertRefused(unknown, /^modelspec: model 'foo:bar': unknown provider 'foo' \(known: openai, anthropic/);
    assertRefused(bare, /^modelspec: model 'gpt-5': expected <provider>:<model>/);
    assert.equal(existsSync(dir), false);
  });

  test("no API key for api.openai.com (no OPENAI_BASE_URL) or for Anthropic", async () => {
    const { dir, db } = freshDb("no-key");
    const [openai, anthropic] = await Promise.all([
      runCli(withModel(db, "openai:gpt-4.1-mini"), {
        env: { ...env(), OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined },
      }),
      runCli(evalArgs(db, "--judge", "anthropic:claude-sonnet-4-5"), {
        env: { ...env(), ANTHROPIC_API_KEY: undefined },
      }),
    ]);
    assertRefused(
      openai,
      /^modelspec: openai:gpt-4\.1-mini: no API key for api\.openai\.com\. Set OPENAI_API_KEY \(or point OPENAI_BASE_URL at a compatible server\)\.$/,
    );
    assertRefused(
      anthropic,
      /^modelspec: anthropic:claude-sonnet-4-5: no Anthropic API key\. Set ANTHROPIC_API_KEY\.$/,
    );
    assert.equal(existsSync(dir), false);
  });

  test("unreadable spec folder", async () => {
    const missing = join(work, "no-such-spec");
    const empty = join(work, "empty-spec");
    mkdirSync(empty);
    const unreadable = join(work, "unreadable-spec");
    mkdirSync(join(unreadable, "model_spec.md"), { recursive: true }); // a folder where the file should be
    const { dir, db } = freshDb("bad-spec");
    const withSpec = (spec: string) =>
      runCli(
        evalArgs(db).map((a) => (a === SPEC ? spec : a)),
        { env: env() },
      );
    const [a, b, c] = await Promise.all([withSpec(missing), withSpec(empty), withSpec(unreadable)]);
    assertRefused(a, /^modelspec: --spec .*no-such-spec: no such folder, and not a known release/);
    assertRefused(b, /^modelspec: .*empty-spec\/model_spec\.md: not found/);
    assertRefused(c, /^modelspec: .*unreadable-spec\/model_spec\.md: cannot read \(EISDIR\)$/);
    if (process.getuid?.() !== 0) {
      // Permissions mean nothing to root, so this case only runs as another user.
      const locked = join(work, "locked-spec");
      mkdirSync(locked);
      writeFileSync(join(locked, "model_spec.md"), "# Title {#title}\n");
      chmodSync(locked, 0o000);
      try {
        const d = await withSpec(locked);
        assertRefused(d, /^modelspec: .*locked-spec/);
      } finally {
        chmodSync(locked, 0o755);
      }
    }
    assert.equal(existsSync(dir), false);
  });

  test("unreadable or corrupt results database: eval, runs and report refuse it and leave it as it was", async () => {
    const corrupt = join(work, "corrupt.db");
    const garbage = Buffer.from("this is not an SQLite database, just some bytes\n".repeat(100));
    writeFileSync(corrupt, garbage);
    const folder = join(work, "a-folder.db");
    mkdirSync(folder);
    const underFile = join(work, "plain-file");
    writeFileSync(underFile, "not a folder");
    const requestsBefore = server.requests.length;
    const [evalCorrupt, evalFolder, evalUnderFile, runs, report] = await Promise.all([
      runCli(evalArgs(corrupt, "--section", "be_creative"), { env: env() }),
      runCli(evalArgs(folder, "--section", "be_creative"), { env: env() }),
      runCli(evalArgs(join(underFile, "results.db"), "--section", "be_creative"), { env: env() }),
      runCli(["runs", "--db", corrupt]),
      runCli(["report", "latest", "--db", corrupt]),
    ]);
    const cannotOpen = (path: string) =>
      new RegExp(`^modelspec: ${escapeRegExp(path)}: cannot open results database \\(`);
    assertRefused(evalCorrupt, cannotOpen(corrupt));
    assert.match(evalCorrupt.stderr, /file is not a database/);
    assertRefused(evalFolder, cannotOpen(folder));
    assertRefused(evalUnderFile, /^modelspec: .*plain-file\/results\.db: cannot open results database \(/);
    assertRefused(runs, cannotOpen(corrupt));
    assertRefused(report, cannotOpen(corrupt));
    assert.deepEqual(readFileSync(corrupt), garbage, "the corrupt file is left as it was");
    assert.equal(existsSync(`${corrupt}-wal`), false);
    assert.equal(server.requests.length, requestsBefore, "no request was sent");
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
