// JSONL datasets through the CLI, as users give them: a dataset the judge could not grade honestly is refused
// with exactly one line on stderr (`modelspec: <file>:<line>: …`), exit 2, nothing written and nothing sent.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type CliResult, runCli } from "../support/cli.js";
import { type FakeLlmServer, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-dataset-cli-"));
let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer();
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({ OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-test-dataset-cli" });
const evalArgs = (db: string, ...extra: string[]) => [
  "eval",
  "--spec",
  SPEC,
  "--model",
  "openai:candidate",
  "--judge",
  "openai:judge",
  "--grader-samples",
  "1",
  "--db",
  db,
  ...extra,
];

/** Exactly one line, `modelspec: …`, matching `pattern`; exit 2 (user error); no stack trace; stdout empty. */
function assertRefused(r: CliResult, pattern: RegExp) {
  const lines = r.stderr.split("\n").filter((line) => line !== "");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] ?? "", pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
  assert.equal(r.stdout, "");
  assert.equal(r.code, 2);
}

const line = (id: string, input: unknown = `prompt ${id}`) =>
  JSON.stringify({ id, input, target: "be kind" });

describe("JSONL datasets through the CLI", { concurrency: true }, () => {
  test("a dataset the judge could not grade honestly is refused by line; nothing written or sent", async () => {
    const cases: { name: string; lines: string[]; encoding?: BufferEncoding; error: string }[] = [
      {
        // A section of another spec version, or a typo: it would be graded without its section and counted
        // under a section this spec does not have.
        name: "unknown-section.jsonl",
        lines: [
          line("a"),
          JSON.stringify({ id: "b", input: "hi", metadata: { section_id: "no_such_section" } }),
        ],
        error: ":2: metadata.section_id 'no_such_section': no such section in the spec",
      },
      {
        name: "nothing-to-grade-against.jsonl",
        lines: [line("a"), line("b"), JSON.stringify({ id: "c", input: "hi", metadata: {} })],
        error:
          ":3: no metadata.section_id and no target: the judge needs a section or a rubric to grade against",
      },
      {
        // Saved by an editor in Latin-1: "é" is one byte that is not UTF-8. Refused, not replaced by "\ufffd".
        name: "latin1.jsonl",
        lines: [line("a"), line("b", "café")],
        encoding: "latin1",
        error: ":2: not valid UTF-8",
      },
    ];
    const requestsBefore = server.requests.length;
    await Promise.all(
      cases.map(async ({ name, lines, encoding, error }) => {
        const path = join(work, name);
        writeFileSync(path, `${lines.join("\n")}\n`, encoding);
        const dir = join(work, `refused-${name}`);
        const r = await runCli(evalArgs(join(dir, "results.db"), "--dataset", path), { env: env() });
        assertRefused(r, new RegExp(`^modelspec: ${escapeRegExp(path)}${escapeRegExp(error)}$`));
        assert.equal(existsSync(dir), false, "no database (nor its folder) was created");
      }),
    );
    assert.equal(server.requests.length, requestsBefore, "no request was sent");
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
