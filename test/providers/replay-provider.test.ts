import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { textMessage } from "../../src/conversation/index.js";
import { DatasetError, UsageError } from "../../src/errors.js";
import { createProvider } from "../../src/providers/index.js";
import { createReplayProvider } from "../../src/providers/replay/index.js";
import { CONTRACT_MESSAGES, describeProviderContract, expectProviderError } from "./provider-contract.js";

const work = mkdtempSync(join(tmpdir(), "modelspec-replay-"));
after(() => rmSync(work, { recursive: true, force: true }));

let files = 0;
/** Writes a replay file from lines (objects are serialized, strings written as they are) and returns its path. */
function replayFile(lines: (object | string)[]): string {
  const path = join(work, `replay-${++files}.jsonl`);
  writeFileSync(
    path,
    `${lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n")}\n`,
  );
  return path;
}

const asInput = (messages: readonly { role: string; content: string }[]) =>
  messages.map(({ role, content }) => ({ role, content }));

describeProviderContract("replay", async ({ maxResponseBytes }) => {
  const path = replayFile([{ input: asInput(CONTRACT_MESSAGES), response: "Hello." }]);
  return {
    provider: createReplayProvider({ id: `replay:${path}`, path, maxResponseBytes }),
    // No `interruptible`: a replay answers from memory at once, with no call in flight to interrupt.
    unservable: () => ({
      request: { messages: [textMessage("user", "A question nobody stored an answer for.")] },
      kind: "bad_request",
    }),
  };
});

describe("replay provider specifics", () => {
  test("a string input is one user message; a messages input is the whole conversation", async () => {
    const path = replayFile([
      { input: "What is 2 + 2?", response: "4" },
      {
        input: [
          { role: "system", content: "Answer in words." },
          { role: "user", content: "What is 2 + 2?" },
        ],
        response: "four",
      },
    ]);
    const provider = createReplayProvider({ id: `replay:${path}`, path });
    const alone = await provider.generate({ messages: [textMessage("user", "What is 2 + 2?")] });
    assert.deepEqual(alone, {
      text: "4",
      usage: { inputTokens: 0, outputTokens: 0 },
      finishReason: "replay",
    });
    const withSystem = await provider.generate({
      messages: [textMessage("system", "Answer in words."), textMessage("user", "What is 2 + 2?")],
    });
    assert.equal(withSystem.text, "four");
    // Surrounding whitespace in the texts does not change the conversation.
    const spaced = await provider.generate({ messages: [textMessage("user", "  What is 2 + 2?\n")] });
    assert.equal(spaced.text, "4");
  });

  test("a conversation with no stored response is a bad_request naming the file", async () => {
    const path = replayFile([{ input: "What is 2 + 2?", response: "4" }]);
    const provider = createReplayProvider({ id: `replay:${path}`, path });
    // Same text, other role: another conversation.
    const error = await expectProviderError(
      provider.generate({ messages: [textMessage("system", "What is 2 + 2?")] }),
      "bad_request",
    );
    assert.ok(error.message.includes(path), error.message);
    assert.equal(error.retryable, false);
  });

  test("a malformed line is a DatasetError naming file:line", () => {
    const notJson = replayFile([{ input: "a", response: "b" }, "", "{not json"]);
    assert.throws(
      () => createReplayProvider({ id: `replay:${notJson}`, path: notJson }),
      (error: unknown) => error instanceof DatasetError && error.message.startsWith(`${notJson}:3: `),
    );
    const noResponse = replayFile([{ input: "a", response: "b" }, { input: "c" }]);
    assert.throws(
      () => createReplayProvider({ id: `replay:${noResponse}`, path: noResponse }),
      (error: unknown) =>
        error instanceof DatasetError &&
        error.message.startsWith(`${noResponse}:2: `) &&
        error.message.includes("response"),
    );
    const emptyMessages = replayFile([{ input: [], response: "b" }]);
    assert.throws(
      () => createReplayProvider({ id: `replay:${emptyMessages}`, path: emptyMessages }),
      (error: unknown) =>
        error instanceof DatasetError && error.message.startsWith(`${emptyMessages}:1: input`),
    );
  });

  test("a file that cannot be read is a DatasetError naming it", () => {
    const missing = join(work, "missing.jsonl");
    assert.throws(
      () => createReplayProvider({ id: `replay:${missing}`, path: missing }),
      (error: unknown) => error instanceof DatasetError && error.message.startsWith(`${missing}: `),
    );
  });

  test("createProvider passes maxResponseBytes on; a limit that is not a positive whole number is a UsageError", async () => {
    const path = replayFile([{ input: "hi", response: "hello" }]);
    const limited = await createProvider(`replay:${path}`, { maxResponseBytes: 4 });
    await expectProviderError(limited.generate({ messages: [textMessage("user", "hi")] }), "too_large");
    const roomy = await createProvider(`replay:${path}`, { maxResponseBytes: 5 });
    assert.equal((await roomy.generate({ messages: [textMessage("user", "hi")] })).text, "hello");
    for (const maxResponseBytes of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(createProvider(`replay:${path}`, { maxResponseBytes }), UsageError);
    }
  });

  test("createProvider('replay:<file>') answers from the file under the name the user wrote", async () => {
    const path = replayFile([{ input: "hi", response: "hello" }]);
    const provider = await createProvider(`replay:${path}`);
    assert.equal(provider.id, `replay:${path}`);
    assert.equal((await provider.generate({ messages: [textMessage("user", "hi")] })).text, "hello");
  });
});
