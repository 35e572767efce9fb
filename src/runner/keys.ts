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
