// RunProviders.answererAndJudge: one provider plays both roles only when they are the same named model and the
// judge has no server of its own (the answering model's base URL is never the judge's).
import assert from "node:assert/strict";
import { test } from "node:test";
import { RunProviders } from "../../src/runs/providers.js";

test("the answering model and the judge share a provider only when they are one model on one server", async () => {
  process.env.OPENAI_API_KEY = "sk-test-providers";
  const local = { threads: undefined, contextSize: undefined, maxResponseBytes: 1024 };
  const providers = new RunProviders();
  try {
    const url = "http://127.0.0.1:9/v1";
    const same = await providers.answererAndJudge("openai:m", url, { ...local, judge: "openai:m" });
    assert.equal(same.answerer, same.judge);
    const other = await providers.answererAndJudge("openai:m", url, { ...local, judge: "openai:j" });
    assert.notEqual(other.answerer, other.judge);
    assert.equal(other.judge.id, "openai:j");
    const elsewhere = await providers.answererAndJudge("openai:m", url, {
      ...local,
      judge: "openai:m",
      judgeBaseUrl: "http://127.0.0.1:10/v1",
    });
    assert.notEqual(elsewhere.answerer, elsewhere.judge);
  } finally {
    await providers.close();
    delete process.env.OPENAI_API_KEY;
  }
});
