// The grader with a real local engine as judge: the tiny random-weight GGUF (test/support/tiny-gguf.ts). Its
// answers are gibberish, cut short by a small answer budget: the response is ungraded, with the reason, and
// never gets a score.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createGrader } from "../../src/index.js";
import { releaseDir } from "../support/paths.js";
import { tinyGgufPath } from "../support/tiny-gguf.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-grader-gguf-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("createGrader with the tiny GGUF as judge", () => {
  test("a garbage judge answer is ungraded: no score, the reason given", { timeout: 120_000 }, async () => {
    const grader = await createGrader({
      spec: releaseDir("2025-12-18"),
      judge: `local:${await tinyGgufPath()}`,
      graderSamples: 1,
      judgeMaxTokens: 8,
      threads: 1,
      // The section's text and examples fill more than the default 4096 tokens; the model holds 8192.
      contextSize: 8192,
      db: join(work, "results.db"),
    });
    try {
      const item = {
        messages: [{ role: "user" as const, content: "Write a short poem about rain." }],
        response: "Rain on the roof, a soft and steady drum.",
        section_id: "be_creative",
      };
      const result = await grader.grade(item);
      assert.equal(result.verdict, "ungraded", JSON.stringify(result));
      assert.equal(result.score, null);
      assert.equal(result.compliance, null);
      assert.equal(result.reason, "judge:unparseable");
      assert.equal(result.message, "0 usable of 1 grader samples drawn");
      // The unusable answer is cached like any grade: asked again, the same answer, without the engine.
      assert.deepEqual(await grader.gradeBatch([item]), [result]);
    } finally {
      await grader.close();
    }
  });
});
