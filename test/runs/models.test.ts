// evaluateModels: one run per model, each the very run evaluate makes for it; refused up front when a model is
// named twice or misspelt (nothing written); a stop ends the current run and starts none of the rest.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  compareRunPairs,
  evaluate,
  evaluateModels,
  type ModelProgress,
  type Provider,
  UsageError,
} from "../../src/index.js";
import { type FakeLlmServer, type FakeReply, startFakeLlmServer } from "../support/fake-llm-server.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-models-"));
let server: FakeLlmServer;

const script = (body: unknown): FakeReply =>
  (body as { response_format?: unknown }).response_format === undefined
    ? { text: `answer from ${(body as { model: string }).model}` }
    : { json: { compliance: 7, rationale: "ok", relied_on_sections: [], failure_kind: "none" } };

before(async () => {
  server = await startFakeLlmServer({ script });
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const common = () => ({
  spec: SPEC,
  judge: "openai:judge",
  section: ["be_creative"],
  graderSamples: 1,
  baseUrl: `${server.url}/v1`,
  judgeBaseUrl: `${server.url}/v1`,
  concurrency: 1,
  judgeConcurrency: 1,
});

describe("evaluateModels", () => {
  test("one run per model, in order, each the run evaluate makes; progress names the model", async () => {
    process.env.OPENAI_API_KEY = "sk-test-models";
    const db = join(work, "two.db");
    const progress: ModelProgress[] = [];
    const summaries = await evaluateModels({
      ...common(),
      models: ["openai:a", "openai:b"],
      db,
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(
      summaries.map((s) => [s.model, s.status, s.samples]),
      [
        ["openai:a", "completed", 4],
        ["openai:b", "completed", 4],
      ],
    );
    const first = progress.filter((p) => p.done === 0);
    assert.deepEqual(
      first.map((p) => [p.model, p.position, p.models, p.runId]),
      summaries.map((s, i) => [s.model, i + 1, 2, s.runId]),
    );
    for (const s of summaries) {
      const single = await evaluate({ ...common(), model: s.model, db });
      assert.equal(single.runId, s.runId);
    }
    const [pair] = compareRunPairs({ db, runs: summaries.map((s) => s.runId) });
    assert.equal(pair?.paired, 4);
  });

  test("a model named twice (a name or two providers with one id), or a misspelt one: a UsageError, nothing written", async () => {
    const db = join(work, "refused.db");
    const provider = (id: string): Provider => ({
      id,
      generate: async () => ({ text: "x", usage: { inputTokens: 0, outputTokens: 0 } }),
    });
    const asked = server.requests.length;
    for (const [models, message] of [
      [["openai:a", "openai:b", "openai:a"], /^model 'openai:a' is given twice/],
      [[provider("custom:x"), provider("custom:x")], /^model 'custom:x' is given twice/],
      [["openai:a", "opnai:b"], /^model 'opnai:b': unknown provider 'opnai'/],
      [["openai:a", "openai"], /^model 'openai': expected <provider>:<model>/],
      [[], /^option models: /],
    ] as const) {
      await assert.rejects(
        evaluateModels({ ...common(), models: [...models], db }),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    }
    assert.equal(existsSync(db), false);
    assert.equal(server.requests.length, asked);
  });

  test("a stop ends the current run (interrupted) and starts none of the rest", async () => {
    const db = join(work, "stopped.db");
    const controller = new AbortController();
    const asked = server.requests.length;
    const summaries = await evaluateModels({
      ...common(),
      models: ["openai:a", "openai:b", "openai:c"],
      db,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 1) controller.abort();
      },
    });
    assert.deepEqual(
      summaries.map((s) => [s.model, s.status]),
      [["openai:a", "interrupted"]],
    );
    const models = server.requests.slice(asked).map((q) => (q.body as { model?: string }).model);
    assert.ok(!models.includes("b") && !models.includes("c"), "the other models were never asked");
  });
});
