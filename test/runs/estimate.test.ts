// The cost estimate: it counts the prompts the run would send, with OpenAI's tokenizer for OpenAI model families
// and characters / 4 otherwise; the price table can be overridden; an unknown price is said, never guessed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Tiktoken } from "js-tiktoken/lite";
import o200k from "js-tiktoken/ranks/o200k_base";
import { estimateRun, loadSpec, type Message, type Sample, textMessage } from "../../src/index.js";
import { buildJudgePrompt } from "../../src/judge/index.js";
import { COUNTING_BOUNDARY } from "../../src/runs/estimate.js";
import { releaseDir } from "../support/paths.js";

const SPEC = releaseDir("2025-12-18");
const spec = loadSpec(SPEC);
const encoding = new Tiktoken(o200k);
/** OpenAI's chat format: each message's text, 3 tokens per message, 3 for the reply. */
const chatTokens = (messages: Message[]) =>
  messages.reduce((n, m) => n + encoding.encode(m.content).length + 3, 3);

const sample = (id: string, text: string): Sample => ({
  id,
  input: [textMessage("system", "You are a poet."), textMessage("user", text)],
  target: "A short, original poem.",
  sectionId: "be_creative",
  topLevelSectionId: spec.sections.find((s) => s.id === "be_creative")?.topLevelId ?? null,
  authority: null,
  focusId: null,
  references: [],
});
const samples = [
  sample("a", "Write a haiku about rain."),
  sample("b", "Write a limerick about a cat named Bo."),
];
const common = { spec: SPEC, dataset: samples, judgeContext: "section" as const };

describe("estimateRun", () => {
  test("OpenAI models are counted with their tokenizer, on the prompts the run builds", async () => {
    const e = await estimateRun({ ...common, model: "openai:gpt-4.1-mini", judge: "openai:gpt-5" });
    assert.equal(e.samples, 2);
    assert.ok(e.candidate);
    assert.equal(e.candidate.counting, "o200k_base");
    const candidateInput = samples.reduce((n, s) => n + chatTokens(s.input), 0);
    assert.ok(candidateInput > 20);
    assert.deepEqual(e.candidate.inputTokens, { low: candidateInput, high: candidateInput });
    assert.deepEqual(e.candidate.calls, { low: 2, high: 2 });
    assert.deepEqual(e.candidate.outputTokens, { low: 2 * 400, high: 2 * 1024 });

    // The judge reads the prompt with the response still to come: counted as its assumed length.
    const prompts = samples.reduce(
      (n, s) =>
        n +
        chatTokens(
          buildJudgePrompt({
            model: spec,
            sample: s,
            response: "",
            context: "section",
            boundary: COUNTING_BOUNDARY,
          }),
        ),
      0,
    );
    assert.equal(e.judge.counting, "o200k_base");
    assert.deepEqual(e.judge.calls, { low: 4, high: 6 }, "early stopping: 2 to 3 grader samples each");
    assert.deepEqual(e.judge.inputTokens, { low: 2 * (prompts + 2 * 400), high: 3 * (prompts + 2 * 1024) });
    assert.deepEqual(e.judge.outputTokens, { low: 4 * 300, high: 6 * 1024 });
    assert.ok(e.costUsd && e.costUsd.low > 0 && e.costUsd.high > e.costUsd.low);
    // gpt-5 at the built-in $1.25 / $10 per million tokens.
    assert.ok(e.judge.costUsd);
    assert.ok(
      Math.abs(e.judge.costUsd.low - (e.judge.inputTokens.low * 1.25 + e.judge.outputTokens.low * 10) / 1e6) <
        1e-12,
    );
  });

  test("the full spec in context is counted once per grader sample; epochs and all grader samples multiply", async () => {
    const full = await estimateRun({
      ...common,
      judgeContext: "full",
      model: "openai:gpt-4.1-mini",
      judge: "openai:gpt-5",
      epochs: 2,
      graderSamplesAll: true,
    });
    assert.deepEqual(full.judge.calls, { low: 12, high: 12 });
    assert.equal(full.earlyStop, false);
    assert.ok(full.judge.inputTokens.low > 12 * 50_000, "each judge call carries the whole spec");
  });

  test("other model families are estimated at characters / 4 and say so", async () => {
    const e = await estimateRun({
      ...common,
      model: "anthropic:claude-sonnet-4-5",
      judge: "openai:my-judge",
    });
    assert.equal(e.candidate?.counting, "chars/4");
    assert.equal(e.judge.counting, "chars/4");
    const chars = samples.reduce(
      (n, s) => n + s.input.reduce((m, x) => m + Math.ceil(x.content.length / 4) + 3, 3),
      0,
    );
    assert.equal(e.candidate?.inputTokens.low, chars);
    assert.equal(e.judge.costUsd, null, "no price for openai:my-judge: unknown, not guessed");
    assert.equal(e.costUsd, null);
  });

  test("a price table given overrides the built-in one", async () => {
    const options = { ...common, model: "openai:gpt-4.1-mini", judge: "openai:gpt-5" };
    const listed = await estimateRun(options);
    const mine = await estimateRun({ ...options, prices: { "openai:gpt-5": { input: 100, output: 0 } } });
    assert.equal(mine.prices, "given");
    assert.deepEqual(
      mine.candidate?.costUsd,
      listed.candidate?.costUsd,
      "the candidate keeps its list price",
    );
    assert.equal(mine.judge.costUsd?.low, (listed.judge.inputTokens.low * 100) / 1e6);
    await assert.rejects(
      estimateRun({ ...options, prices: { "openai:gpt-5": { input: -1, output: 1 } } }),
      /option prices/,
    );
  });

  test("a large run is counted on an even spread of its samples, scaled up", async () => {
    const many = Array.from({ length: 1000 }, (_, i) => sample(`s${i}`, `Write poem number ${1000 + i}.`));
    const e = await estimateRun({
      ...common,
      dataset: many,
      model: "openai:gpt-4.1-mini",
      judge: "openai:gpt-5",
    });
    assert.equal(e.samples, 1000);
    assert.equal(e.counted, 300);
    const exact = many.reduce((n, s) => n + chatTokens(s.input), 0);
    assert.equal(e.candidate?.inputTokens.low, exact, "samples alike: the scaled count is the exact one");
  });

  test("it selects the samples the run would, and names a bad model as the run would", async () => {
    const e = await estimateRun({
      spec: SPEC,
      model: "openai:a",
      judge: "openai:b",
      section: ["be_creative"],
      limit: 2,
      seed: 3,
    });
    assert.equal(e.samples, 2);
    await assert.rejects(
      estimateRun({ spec: SPEC, model: "foo:a", judge: "openai:b" }),
      /unknown provider 'foo'/,
    );
  });
});
