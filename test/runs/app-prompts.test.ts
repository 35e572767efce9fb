// Your assistant under test, in the library: `systemPrompt` and `developerPrompt` head every sample's
// conversation (system, then developer, then the sample's own messages), the stored sample, the candidate and
// the judge see the same conversation, and the prompts are part of the run's identity only when given.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  evaluate,
  type GenerateRequest,
  loadSpec,
  openResults,
  type Provider,
  type Sample,
  textMessage,
  UsageError,
} from "../../src/index.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const work = mkdtempSync(join(tmpdir(), "modelspec-app-prompts-"));
after(() => rmSync(work, { recursive: true, force: true }));

const spec = loadSpec(SPEC);
const sample = (id: string, input: Sample["input"]): Sample => ({
  id,
  input,
  target: "A helpful answer.",
  sectionId: "be_creative",
  topLevelSectionId: spec.sections.find((s) => s.id === "be_creative")?.topLevelId ?? null,
  authority: null,
  focusId: null,
  references: [],
});
const samples = [
  sample("own-developer", [textMessage("developer", "Sample developer rule."), textMessage("user", "Hi!")]),
  sample("user-only", [textMessage("user", "Write a haiku.")]),
];

/** A candidate and a judge in-process, keeping every request they get. */
function providers() {
  const candidateRequests: GenerateRequest[] = [];
  const judgeRequests: GenerateRequest[] = [];
  const candidate: Provider = {
    id: "custom:candidate",
    async generate(request) {
      candidateRequests.push(request);
      return { text: "Here is a haiku.", usage: { inputTokens: 1, outputTokens: 1 } };
    },
  };
  const judge: Provider = {
    id: "custom:judge",
    async generate(request) {
      judgeRequests.push(request);
      const answer = { compliance: 7, rationale: "ok", relied_on_sections: [], failure_kind: "none" };
      return { text: JSON.stringify(answer), usage: { inputTokens: 1, outputTokens: 1 } };
    },
  };
  return { candidate, judge, candidateRequests, judgeRequests };
}

const SYSTEM = "You are the assistant of Acme Bank. Only discuss Acme products.";
const DEVELOPER = "Answer in one paragraph.";

describe("app prompts in the library", () => {
  test("every sample starts with the system prompt, then the developer prompt, then its own messages", async () => {
    const p = providers();
    const db = join(work, "order.db");
    const summary = await evaluate({
      spec: SPEC,
      model: p.candidate,
      judge: p.judge,
      dataset: samples,
      graderSamples: 1,
      systemPrompt: SYSTEM,
      developerPrompt: DEVELOPER,
      db,
    });
    assert.equal(summary.overall.graded, 2);
    const conversations = p.candidateRequests
      .map((r) => r.messages.map((m) => `${m.role}: ${m.content}`))
      .sort((a, b) => a.length - b.length);
    assert.deepEqual(conversations, [
      [`system: ${SYSTEM}`, `developer: ${DEVELOPER}`, "user: Write a haiku."],
      [`system: ${SYSTEM}`, `developer: ${DEVELOPER}`, "developer: Sample developer rule.", "user: Hi!"],
    ]);
    // The judge reads them as messages of the conversation, with their roles, in the same order.
    for (const request of p.judgeRequests) {
      const prompt = request.messages.at(-1)?.content ?? "";
      const system = prompt.search(/<message-[0-9a-f]+ role="system">\nYou are the assistant of Acme Bank/);
      const developer = prompt.search(/<message-[0-9a-f]+ role="developer">\nAnswer in one paragraph\./);
      const user = prompt.search(/<message-[0-9a-f]+ role="user">/);
      assert.ok(system > 0 && system < developer && developer < user, prompt);
    }
    // The stored sample is the conversation both saw, and the run's configuration keeps the prompts.
    const results = openResults(db);
    try {
      const run = results.findRun(summary.runId);
      assert.equal(run.params.kind, "eval");
      if (run.params.kind === "eval") {
        assert.equal(run.params.systemPrompt, SYSTEM);
        assert.equal(run.params.developerPrompt, DEVELOPER);
      }
      const stored = results.sampleDetail(summary.runId, "user-only", 1)?.sample.input;
      assert.deepEqual(
        stored?.map((m) => [m.role, m.content]),
        [
          ["system", SYSTEM],
          ["developer", DEVELOPER],
          ["user", "Write a haiku."],
        ],
      );
    } finally {
      results.close();
    }
  });

  test("the prompts are part of the run id only when given: without them the id is the one it always was", async () => {
    const db = join(work, "identity.db");
    const ids = async (prompts: { systemPrompt?: string; developerPrompt?: string }) => {
      const p = providers();
      const s = await evaluate({
        spec: SPEC,
        model: p.candidate,
        judge: p.judge,
        dataset: samples,
        graderSamples: 1,
        db,
        ...prompts,
      });
      return s.runId;
    };
    const plain = await ids({});
    const withSystem = await ids({ systemPrompt: SYSTEM });
    const withBoth = await ids({ systemPrompt: SYSTEM, developerPrompt: DEVELOPER });
    const withDeveloper = await ids({ developerPrompt: DEVELOPER });
    const otherSystem = await ids({ systemPrompt: `${SYSTEM} Be brief.` });
    assert.equal(new Set([plain, withSystem, withBoth, withDeveloper, otherSystem]).size, 5);
    assert.equal(await ids({ systemPrompt: SYSTEM }), withSystem, "the same prompt names the same run");
    assert.equal(await ids({}), plain);
  });

  test("a blank prompt is refused naming the option", async () => {
    const p = providers();
    await assert.rejects(
      evaluate({ spec: SPEC, model: p.candidate, judge: p.judge, dataset: samples, systemPrompt: " \n" }),
      (e: unknown) => e instanceof UsageError && /option systemPrompt: expected text/.test(e.message),
    );
    assert.equal(p.candidateRequests.length, 0);
  });
});
