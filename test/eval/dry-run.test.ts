// Cost known first: `eval --dry-run` counts and prices a run without sending or writing anything, `--prices`
// overrides the price table (a bad file is one line, exit 2), every real run and calibration says its estimate on
// its start line, and calibrate takes --limit/--seed and ends with a cost line.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-dry-run-"));
let server: FakeLlmServer;

type Body = { response_format?: unknown; tool_choice?: unknown };
const script = (body: unknown): FakeReply =>
  (body as Body).response_format === undefined && (body as Body).tool_choice === undefined
    ? { text: "A poem." }
    : { json: { compliance: 7, rationale: "ok", relied_on_sections: [], failure_kind: "none" } };

before(async () => {
  server = await startFakeLlmServer({ script });
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({ OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-test" });
const evalArgs = (db: string, ...extra: string[]) => [
  "eval",
  ...["--spec", SPEC, "--model", "openai:gpt-4.1-mini", "--judge", "openai:gpt-5"],
  ...["--section", "be_creative", "--db", join(work, db), ...extra],
];

describe("eval --dry-run", () => {
  test("prints samples, calls, tokens and cost; sends nothing and writes nothing", async () => {
    const text = await runCli(evalArgs("dry.db", "--dry-run"), { env: env() });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Dry run: nothing was sent and nothing written\./);
    assert.match(text.stdout, /\d+ samples × 1 epoch\(s\); judge: up to 3 grader samples each/);
    assert.match(text.stdout, /│ judge +│ openai:gpt-5 +│ \d+–\d+ +│/);
    assert.match(text.stdout, /candidate: o200k_base; judge: o200k_base/);
    assert.match(text.stdout, /│ total .*\$\d+\.\d+–\$\d+\.\d+/);
    const json = await runCli(evalArgs("dry.db", "--dry-run", "--json", "--epochs", "2"), { env: env() });
    assert.equal(json.code, 0, json.stderr);
    const e = JSON.parse(json.stdout);
    assert.equal(e.epochs, 2);
    assert.deepEqual(e.candidate.calls, { low: 2 * e.samples, high: 2 * e.samples });
    assert.deepEqual(e.judge.calls, { low: 4 * e.samples, high: 6 * e.samples });
    assert.ok(e.candidate.inputTokens.low > 0 && e.judge.inputTokens.low > e.candidate.inputTokens.low);
    assert.ok(e.costUsd.low > 0);
    assert.equal(json.stderr, "", "no start line: nothing starts");
    assert.equal(server.requests.length, 0, "the fake server received nothing");
    assert.ok(!existsSync(join(work, "dry.db")), "no database, no run");
  });

  test("--prices overrides the price table; a bad file is one line naming it and the key, exit 2", async () => {
    const listed = JSON.parse((await runCli(evalArgs("p.db", "--dry-run", "--json"), { env: env() })).stdout);
    const file = join(work, "prices.yaml");
    writeFileSync(file, '# my negotiated prices\n"openai:gpt-5":\n  input: 0.5\n  output: 4\n');
    const mine = JSON.parse(
      (await runCli(evalArgs("p.db", "--dry-run", "--json", "--prices", file), { env: env() })).stdout,
    );
    assert.equal(mine.prices, file);
    assert.ok(mine.judge.costUsd.low < listed.judge.costUsd.low);
    assert.equal(
      mine.judge.costUsd.low,
      (mine.judge.inputTokens.low * 0.5 + mine.judge.outputTokens.low * 4) / 1e6,
    );
    assert.deepEqual(mine.candidate.costUsd, listed.candidate.costUsd);

    const bad = join(work, "bad-prices.yaml");
    writeFileSync(bad, '"openai:gpt-5":\n  input: cheap\n  output: 4\n');
    for (const args of [
      evalArgs("bad.db", "--dry-run", "--prices", bad),
      evalArgs("bad.db", "--prices", bad),
    ]) {
      const r = await runCli(args, { env: env() });
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.equal(
        r.stderr,
        `modelspec: ${bad}:2: openai:gpt-5.input: expected a number ≥ 0 (US dollars per million input tokens)\n`,
      );
    }
    assert.ok(!existsSync(join(work, "bad.db")), "nothing written");
    assert.equal(server.requests.length, 0);
  });

  test("a real eval says its estimate on its start line, on stderr", async () => {
    const r = await runCli(evalArgs("real.db", "--json", "--grader-samples", "1"), { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^Starting run-[0-9a-f]{12}: (\d+) samples; estimate: \1 candidate \+ \1 judge calls, [\d.]+[kM]?–[\d.]+[kM]? tokens, \$[\d.]+–\$[\d.]+\n/,
    );
    assert.equal(JSON.parse(r.stdout).status, "completed", "stdout stays one JSON document");
    const again = await runCli(evalArgs("real.db", "--grader-samples", "1"), { env: env() });
    assert.match(
      again.stderr,
      /^Resuming run-[0-9a-f]{12}: \d+ samples, \d+ already done; whole run's estimate: /,
    );
  });
});

describe("calibrate --limit/--seed and its cost", () => {
  const calibrate = (db: string, ...extra: string[]) =>
    runCli(
      [
        ...["calibrate", "--spec", SPEC, "--judge", "anthropic:claude-haiku-4-5"],
        ...["--section", "avoid_sycophancy", "--db", join(work, db), "--grader-samples", "1", ...extra],
      ],
      // An Anthropic judge (on the same fake server): counted at characters / 4, priced from the list.
      { env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: "sk-ant-test" } },
    );

  test("a random subset of the labelled responses, the same for the same seed; a start line and a cost line", async () => {
    const all = JSON.parse((await calibrate("cal.db", "--json")).stdout);
    assert.ok(all.items > 3, `${all.items} labelled responses`);
    const r = await calibrate("cal.db", "--limit", "3", "--seed", "7");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, / on 3 labelled responses/);
    assert.match(
      r.stdout,
      /^Cost: judge [\d.]+[kM]? in \([\d.]+[kM]? cached\) \/ [\d.]+[kM]? out, estimated \$[\d.]+$/m,
    );
    assert.match(r.stderr, /^Starting cal-[0-9a-f]{12}: 3 samples; estimate: 3 judge calls, /);
    const first = /Calibration (cal-[0-9a-f]{12})/.exec(r.stdout)?.[1];
    const again = JSON.parse((await calibrate("cal.db", "--limit", "3", "--seed", "7", "--json")).stdout);
    assert.equal(again.runId, first, "the same subset is the same calibration");
    assert.notEqual(again.runId, all.runId);
    const other = JSON.parse((await calibrate("cal.db", "--limit", "3", "--seed", "8", "--json")).stdout);
    assert.notEqual(other.runId, first);
    assert.equal(other.items, 3);
    assert.ok(other.tokens.input > 0 && other.estimatedCostUsd > 0);
    const bad = await calibrate("cal.db", "--limit", "0");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--limit.*whole number from 1 to 1,000,000,000/);
  });
});
