/**
 * OpenAI-style chat messages as the runtime reads them, and the conventions that mark text as untrusted:
 * `tool` (and legacy `function`) messages; `<untrusted_text>` blocks inside any message's text; and the typed
 * content part `{ "type": "untrusted_text", "text": …, "source"?: … }`.
 */
import type { ContentPart, Message, Role } from "../conversation/index.js";

/** A message of an OpenAI-style chat request. Other fields (name, tool_calls, …) are kept as they are. */
export interface ChatMessage {
  role: string;
  content?: unknown;
}

/** A piece of a message's text: its own (`text`) or untrusted data, with where it came from. */
export type TextPiece = { type: "text"; text: string } | { type: "untrusted"; text: string; source: string };

const OPEN = /<untrusted_text(\s[^>]*)?>/i;
const CLOSE = /<\/untrusted_text\s*>/gi;
const SOURCE = /\bsource\s*=\s*"([^"]*)"|\bsource\s*=\s*'([^']*)'/i;

/**
 * Splits a text at the `<untrusted_text>` convention. Everything from the first opening tag to the LAST closing
 * tag is one untrusted block: text inside a block that writes a closing tag of its own (to end the block early
 * and speak with the message's authority) stays inside it. An opening tag without a closing one marks the rest
 * of the text. Null when the text has no opening tag.
 */
export function splitUntrusted(text: string): TextPiece[] | null {
  const open = OPEN.exec(text);
  if (!open) return null;
  const start = open.index + open[0].length;
  let end = -1;
  let after = text.length;
  for (const m of text.slice(start).matchAll(CLOSE)) {
    end = start + m.index;
    after = end + m[0].length;
  }
  const attributes = open[1] ?? "";
  const named = SOURCE.exec(attributes);
  const source = named?.[1] ?? named?.[2] ?? "untrusted";
  const pieces: TextPiece[] = [];
  if (open.index > 0) pieces.push({ type: "text", text: text.slice(0, open.index) });
  pieces.push({ type: "untrusted", text: text.slice(start, end === -1 ? text.length : end), source });
  if (after < text.length) pieces.push({ type: "text", text: text.slice(after) });
  return pieces;
}

/** Roles whose whole content is untrusted: tool results. */
export const isToolRole = (role: string) => role === "tool" || role === "function";

/** The typed untrusted content part of the convention. */
export function isUntrustedPart(
  part: unknown,
): part is { type: "untrusted_text"; text: string; source?: unknown } {
  return (
    typeof part === "object" &&
    part !== null &&
    (part as { type?: unknown }).type === "untrusted_text" &&
    typeof (part as { text?: unknown }).text === "string"
  );
}

const isTextPart = (part: unknown): part is { type: "text"; text: string } =>
  typeof part === "object" &&
  part !== null &&
  (part as { type?: unknown }).type === "text" &&
  typeof (part as { text?: unknown }).text === "string";

const ROLE_MAP: Record<string, Role> = {
  system: "system",
  developer: "developer",
  user: "user",
  assistant: "assistant",
  tool: "tool",
  function: "tool",
};

/**
 * The conversation as the judge reads it (src/conversation Messages): untrusted text as `untrusted` parts, so the
 * guard's prompt shows it as data; parts other than text (images, audio) as a short placeholder.
 */
export function toConversation(messages: readonly ChatMessage[]): Message[] {
  return messages.map((m) => {
    const role = ROLE_MAP[m.role] ?? "user";
    const parts: ContentPart[] = [];
    const addText = (text: string) => {
      if (isToolRole(m.role)) {
        parts.push({ type: "untrusted", text });
        return;
      }
      for (const piece of splitUntrusted(text) ?? [{ type: "text" as const, text }]) {
        parts.push({ type: piece.type, text: piece.text });
      }
    };
    if (typeof m.content === "string") addText(m.content);
    else if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (isUntrustedPart(part)) parts.push({ type: "untrusted", text: part.text });
        else if (isTextPart(part)) addText(part.text);
        else parts.push({ type: "text", text: `[${String((part as { type?: unknown })?.type ?? "part")}]` });
      }
    }
    return { role, content: parts.map((p) => p.text).join("\n"), parts };
  });
}
