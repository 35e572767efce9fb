/**
 * Preference pairs as the lines of a training file. Both formats take chat messages with the roles `system`,
 * `user` and `assistant`, written as the evaluated models saw them (providers' OpenAI mapping): a developer message
 * becomes a system message headed "Developer message:", a tool message a user message that quotes the output as
 * data, `<untrusted>` parts are delimited, and an assistant message addressed to a tool is labelled `[to=…]`.
 */
import type { Message } from "../conversation/index.js";
import { toOpenAIMessages } from "../providers/index.js";
import type { PreferencePair } from "./pairs.js";

/** `dpo`: OpenAI preference fine-tuning; `trl`: TRL's conversational preference dataset. */
export type PairFormat = "dpo" | "trl";

interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** OpenAI preference fine-tuning (DPO), one line. */
export interface DpoRecord {
  input: { messages: ChatMessage[] };
  preferred_output: [ChatMessage];
  non_preferred_output: [ChatMessage];
}

/** TRL conversational preference (explicit prompt), one line. */
export interface TrlRecord {
  prompt: ChatMessage[];
  chosen: [ChatMessage];
  rejected: [ChatMessage];
}

function chatMessages(messages: readonly Message[]): ChatMessage[] {
  return toOpenAIMessages(messages, { developerRole: "system" }).map((m) => ({
    // With developer messages as system ones and tool output as user ones, only these three roles remain.
    role: m.role as ChatMessage["role"],
    content: typeof m.content === "string" ? m.content : "",
  }));
}

const reply = (message: Message): [ChatMessage] => chatMessages([message]) as [ChatMessage];

/**
 * A preference pair as one line of a `dpo` or `trl` training file (its provenance is kept apart: the line holds
 * only what the format defines).
 *
 * @example
 * for (const pair of preferencePairs({ spec: "2025-12-18" })) {
 *   console.log(JSON.stringify(toTrainingRecord(pair, "trl")));
 * }
 */
export function toTrainingRecord(pair: PreferencePair, format: PairFormat): DpoRecord | TrlRecord {
  const prompt = chatMessages(pair.prompt);
  if (format === "dpo") {
    return {
      input: { messages: prompt },
      preferred_output: reply(pair.chosen),
      non_preferred_output: reply(pair.rejected),
    };
  }
  return { prompt, chosen: reply(pair.chosen), rejected: reply(pair.rejected) };
}
