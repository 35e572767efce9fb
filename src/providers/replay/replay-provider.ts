import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { type Message, RoleSchema } from "../../conversation/index.js";
import { DatasetError } from "../../errors.js";
import { checkAnswerSize, responseLimit } from "../limits.js";
import { type GenerateRequest, type GenerateResult, type Provider, ProviderError } from "../types.js";

const ReplayLineSchema = z.object({
  input: z.union([z.string(), z.array(z.object({ role: RoleSchema, content: z.string() })).min(1)]),
  response: z.string(),
});

/** Identifies a conversation by its roles and texts, the parts every dataset shape agrees on. */
export function conversationFingerprint(messages: { role: string; content: string }[]): string {
  return createHash("sha256")
    .update(JSON.stringify(messages.map((m) => [m.role, m.content.trim()])))
    .digest("hex");
}

/**
 * Answers from responses stored in a JSONL file (`{input, response}` per line, e.g. `modelspec export` output
 * or another tool's transcripts), matched by conversation. Lets a run grade responses made elsewhere. A stored
 * response over `maxResponseBytes` (UTF-8 bytes, default 1 MiB) fails as `too_large`, like an API's would.
 */
export function createReplayProvider(options: {
  id: string;
  path: string;
  maxResponseBytes?: number;
}): Provider {
  const limit = responseLimit(options.maxResponseBytes);
  let text: string;
  try {
    text = readFileSync(options.path, "utf8");
  } catch (error) {
    throw new DatasetError(
      `${options.path}: cannot read replay file (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  const responses = new Map<string, string>();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new DatasetError(`${options.path}:${index + 1}: not valid JSON`);
    }
    const parsed = ReplayLineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DatasetError(
        `${options.path}:${index + 1}: ${issue?.path.join(".") || "line"}: ${issue?.message}`,
      );
    }
    const input =
      typeof parsed.data.input === "string"
        ? [{ role: "user", content: parsed.data.input }]
        : parsed.data.input;
    responses.set(conversationFingerprint(input), parsed.data.response);
  });

  return {
    id: options.id,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      // Like every provider: a call whose signal is already aborted does nothing, not even a lookup.
      if (request.signal?.aborted) throw new ProviderError("aborted", "replay call was aborted");
      const stored = responses.get(conversationFingerprint(request.messages as Message[]));
      if (stored === undefined) {
        throw new ProviderError("bad_request", `no stored response for this conversation in ${options.path}`);
      }
      checkAnswerSize(options.id, stored, limit);
      return { text: stored, usage: { inputTokens: 0, outputTokens: 0 }, finishReason: "replay" };
    },
  };
}
