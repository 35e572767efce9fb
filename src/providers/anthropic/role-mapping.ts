import type { MessageParam, TextBlockParam } from "@anthropic-ai/sdk/resources/messages";
import type { Message } from "../../conversation/index.js";
import { renderAssistant, renderParts, renderToolOutput } from "../openai/role-mapping.js";

export interface AnthropicRequestParts {
  /** System and developer messages, in order, each a labelled block; absent when there are none. */
  system?: TextBlockParam[];
  /** Alternating user/assistant turns; consecutive same-role messages share one turn as separate blocks. */
  messages: MessageParam[];
}

/**
 * Maps a spec conversation onto the Messages API. Anthropic has one system slot, so system and developer
 * messages are hoisted into it (in order, labelled so their authority stays distinguishable); a system or
 * developer message written mid-conversation therefore moves ahead of the turns it followed. Tool output
 * becomes delimited user-side data, and an assistant message to a recipient stays labelled text, exactly as
 * in the OpenAI mapping.
 */
export function toAnthropicRequest(messages: readonly Message[]): AnthropicRequestParts {
  const system: TextBlockParam[] = [];
  const turns: MessageParam[] = [];
  for (const message of messages) {
    if (message.role === "system" || message.role === "developer") {
      const label = message.role === "system" ? "System message:" : "Developer message:";
      system.push({ type: "text", text: `${label}\n${renderParts(message)}`.trimEnd() });
      continue;
    }
    const role = message.role === "assistant" ? "assistant" : "user";
    const rendered =
      message.role === "assistant"
        ? renderAssistant(message)
        : message.role === "tool"
          ? renderToolOutput(message)
          : renderParts(message);
    // The API rejects empty text blocks, and trailing whitespace in a final assistant turn.
    const text = rendered.trimEnd();
    if (text === "") continue;
    const block: TextBlockParam = { type: "text", text };
    const last = turns.at(-1);
    // Anthropic requires user and assistant turns to alternate; merging keeps each message as its own block.
    if (last !== undefined && last.role === role && Array.isArray(last.content)) last.content.push(block);
    else turns.push({ role, content: [block] });
  }
  const first = system[0];
  // One breakpoint on the first (typically large and shared) block lets prompt caching reuse it across calls.
  if (first !== undefined) first.cache_control = { type: "ephemeral" };
  return system.length > 0 ? { system, messages: turns } : { messages: turns };
}
