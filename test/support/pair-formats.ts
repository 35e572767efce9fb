// The two training formats as the providers define them, written as zod schemas so that every line a test
// writes is checked against them: nothing beyond what the format has (provenance lives in the sidecar).
// OpenAI preference fine-tuning: https://platform.openai.com/docs/guides/direct-preference-optimization
// (`input.messages`, `preferred_output` and `non_preferred_output` each one assistant message).
// TRL conversational preference: https://huggingface.co/docs/trl/dataset_formats (`prompt` a list of messages,
// `chosen`/`rejected` the assistant turn).
import { z } from "zod";

const ChatMessage = z.strictObject({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});
const AssistantMessage = z.strictObject({ role: z.literal("assistant"), content: z.string().min(1) });

export const DpoLine = z.strictObject({
  input: z.strictObject({ messages: z.array(ChatMessage).min(1) }),
  preferred_output: z.tuple([AssistantMessage]),
  non_preferred_output: z.tuple([AssistantMessage]),
});

export const TrlLine = z.strictObject({
  prompt: z.array(ChatMessage).min(1),
  chosen: z.tuple([AssistantMessage]),
  rejected: z.tuple([AssistantMessage]),
});

/** The lines of a JSONL file, parsed. */
export function jsonLines(text: string): unknown[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
}
