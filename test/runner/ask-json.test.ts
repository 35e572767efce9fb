// askJson: a model's JSON answer read against a zod schema, asked again (within the cap) when it is not JSON or
// not the schema; the unusable answers are reported, never used.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { textMessage } from "../../src/conversation/index.js";
import { type Provider, ProviderError } from "../../src/providers/index.js";
import { AdaptiveLimiter, askJson, type CallPolicy } from "../../src/runner/index.js";

const policy: CallPolicy = { maxAttempts: 2, timeoutMs: 1000, baseDelayMs: 1, maxDelayMs: 2 };
const request = { messages: [textMessage("user", "Answer in JSON.")] };
const Schema = z.object({ prompts: z.array(z.string()).min(1) });

/** Answers with these texts in turn (the last again once they run out), counting the calls. */
function scripted(texts: (string | ProviderError)[]) {
  let calls = 0;
  const provider: Provider = {
    id: "test:json",
    async generate() {
      const next = texts[Math.min(calls++, texts.length - 1)];
      if (next instanceof ProviderError) throw next;
      return { text: next ?? "", usage: { inputTokens: 3, outputTokens: 2 } };
    },
  };
  return { provider, calls: () => calls };
}

const ask = (provider: Provider, maxAnswers = 3) =>
  askJson(provider, new AdaptiveLimiter(2), request, Schema, {
    maxAnswers,
    policy,
    signal: new AbortController().signal,
  });

describe("askJson", () => {
  test("a valid answer is read at once", async () => {
    const model = scripted(['{"prompts": ["a", "b"]}']);
    const answer = await ask(model.provider);
    assert.deepEqual(answer, {
      ok: true,
      value: { prompts: ["a", "b"] },
      invalid: [],
      usage: { inputTokens: 3, outputTokens: 2 },
    });
    assert.equal(model.calls(), 1);
  });

  test("an object in one markdown fence is read; text around a fence is not", async () => {
    const fenced = await ask(scripted(['```json\n{"prompts": ["x"]}\n```']).provider);
    assert.ok(fenced.ok);
    assert.deepEqual(fenced.value, { prompts: ["x"] });
    const plain = await ask(scripted(['  ```\n{"prompts": ["y"]}\n```  ']).provider);
    assert.ok(plain.ok);
    const chatty = await ask(scripted(['Here it is:\n```json\n{"prompts": ["z"]}\n```']).provider, 1);
    assert.equal(chatty.ok, false);
  });

  test("an object with a key twice is unusable, as a judge answer is (not the later of the two)", async () => {
    const model = scripted(['{"prompts": ["a"], "prompts": ["b"]}', '{"prompts": ["c"]}']);
    const answer = await ask(model.provider);
    assert.ok(answer.ok);
    assert.deepEqual(answer.value, { prompts: ["c"] });
    assert.deepEqual(answer.invalid, ['duplicate key "prompts"']);
  });

  test("not JSON, then not the schema, then valid: asked again, the unusable answers listed in order", async () => {
    const model = scripted(["Sure! Here are some prompts.", '{"prompts": []}', '{"prompts": ["ok"]}']);
    const answer = await ask(model.provider);
    assert.ok(answer.ok);
    assert.deepEqual(answer.value, { prompts: ["ok"] });
    assert.equal(answer.invalid.length, 2);
    assert.match(answer.invalid[0] ?? "", /^not JSON: "Sure! Here are some prompts\."/);
    assert.match(answer.invalid[1] ?? "", /^prompts: /);
    assert.deepEqual(answer.usage, { inputTokens: 9, outputTokens: 6 }, "every answer's tokens count");
    assert.equal(model.calls(), 3);
  });

  test("the cap: after maxAnswers unusable answers, no value and no further call", async () => {
    const model = scripted(["{", '{"other": 1}']);
    const answer = await ask(model.provider, 4);
    assert.equal(answer.ok, false);
    assert.equal("value" in answer, false);
    assert.equal(answer.invalid.length, 4);
    assert.equal(model.calls(), 4);
  });

  test("a provider error that outlasts the retries is thrown, not counted as an answer", async () => {
    const model = scripted([new ProviderError("bad_request", "refused")]);
    await assert.rejects(ask(model.provider), (e) => e instanceof ProviderError && e.kind === "bad_request");
    assert.equal(model.calls(), 1, "a request refused is not retried");
  });
});
