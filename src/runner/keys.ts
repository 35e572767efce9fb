import { createHash } from "node:crypto";
import type { Message } from "../conversation/index.js";

/** Content address of a request: the same inputs give the same key, so a cached answer is reused. */
export function requestKey(parts: Record<string, unknown>): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/** The parts of a message that reach a provider (order of keys fixed for stable hashes). */
export function messageKey(messages: Message[]): unknown[] {
  return messages.map((m) => [m.role, m.parts, m.attributes ?? null]);
}

/**
 * The key of a candidate's completion: the same model, server, conversation, settings and epoch give the same
 * key, so eval and anything else that asks a candidate (generate's adaptive rounds) share completions.
 */
export function completionKey(c: {
  provider: string;
  messages: Message[];
  maxTokens: number | undefined;
  temperature: number | undefined;
  seed: number | undefined;
  epoch: number;
  /** The server as recorded without credentials; left out when absent, so older keys stay what they were. */
  server?: string | null;
}): string {
  return requestKey({
    kind: "completion",
    provider: c.provider,
    messages: messageKey(c.messages),
    maxTokens: c.maxTokens,
    temperature: c.temperature ?? null,
    seed: c.seed ?? null,
    epoch: c.epoch,
    ...(c.server ? { server: c.server } : {}),
  });
}
