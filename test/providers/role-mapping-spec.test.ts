import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exampleSamples } from "../../src/dataset/index.js";
import { toAnthropicRequest } from "../../src/providers/anthropic/index.js";
import { toLocalChatHistory } from "../../src/providers/local/index.js";
import { toOpenAIMessages } from "../../src/providers/openai/index.js";
import { compileSpecDir } from "../../src/spec/index.js";
import { RELEASE_VERSIONS, releaseDir } from "../support/paths.js";

// Every example conversation of every release goes through every role mapping.
describe("role mappings on the spec's own example conversations", () => {
  for (const version of RELEASE_VERSIONS) {
    test(version, () => {
      const { model } = compileSpecDir({ dir: releaseDir(version), version: null });
      for (const sample of exampleSamples(model)) {
        const roles = sample.input.map((m) => m.role);
        const untrusted = sample.input.flatMap((m) => m.parts).filter((p) => p.type === "untrusted");

        const openai = toOpenAIMessages(sample.input);
        assert.equal(openai.length, sample.input.length, sample.id);
        assert.deepEqual(
          openai.map((m) => m.role),
          roles.map((r) => (r === "tool" ? "user" : r)),
          sample.id,
        );
        const openaiText = JSON.stringify(openai);
        const blocks = openaiText.split("<untrusted_text>").length - 1;
        assert.equal(blocks, untrusted.length, `${sample.id}: each untrusted part delimited`);

        const anthropic = toAnthropicRequest(sample.input);
        const systemCount = roles.filter((r) => r === "system" || r === "developer").length;
        assert.equal(anthropic.system?.length ?? 0, systemCount, sample.id);
        for (let i = 1; i < anthropic.messages.length; i++) {
          assert.notEqual(
            anthropic.messages[i]?.role,
            anthropic.messages[i - 1]?.role,
            `${sample.id} alternates`,
          );
        }
        if (untrusted.length) assert.ok(JSON.stringify(anthropic).includes("<untrusted_text>"), sample.id);

        const local = toLocalChatHistory(sample.input);
        assert.ok(local.length >= 1, sample.id);
        if (systemCount > 0) assert.equal(local[0]?.type, "system", sample.id);
      }
    });
  }
});
