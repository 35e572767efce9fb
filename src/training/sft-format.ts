/**
 * The lines `data sft` writes: a chat fine-tuning line (OpenAI's `{"messages": [...]}`) with the prompt's own
 * conversation and the kept answer, never the spec, and a provenance line for it in the sidecar.
 */

import type { Sample } from "../dataset/index.js";
import { toOpenAIMessages } from "../providers/index.js";

/** Where the reasoning goes: only the sidecar, also a top-level `reasoning` field, or the assistant text. */
export type ReasoningPlace = "sidecar" | "field" | "text";

/** Opens the reasoning in the assistant text (`reasoningIn: "text"`), as reasoning chat templates expect it. */
const THINK_OPEN = "<think>";
const THINK_CLOSE = "</think>";

/** One kept answer, with what the provenance line records. */
export interface KeptAnswer {
  sample: Sample;
  reasoning: string;
  cited: string[];
  answer: string;
  reliedOn: string[];
  compliance: number;
}

/**
 * The training line: the sample's conversation as Chat Completions messages (developer messages as system
 * messages, tool output as a delimited user message, as modelspec sends them to OpenAI-compatible servers), then
 * the answer as the assistant's message.
 */
export function trainingLine(kept: KeptAnswer, place: ReasoningPlace): Record<string, unknown> {
  const messages = toOpenAIMessages(kept.sample.input, { developerRole: "system" }).map((m) => ({
    role: m.role,
    content: typeof m.content === "string" ? m.content : "",
  }));
  const content =
    place === "text" ? `${THINK_OPEN}\n${kept.reasoning}\n${THINK_CLOSE}\n\n${kept.answer}` : kept.answer;
  messages.push({ role: "assistant", content });
  return place === "field" ? { messages, reasoning: kept.reasoning } : { messages };
}

/** The provenance line of a training line (same position in the sidecar). */
export function provenanceLine(
  kept: KeptAnswer,
  source: { specVersion: string | null; specHash: string; generator: string; judge: string },
): Record<string, unknown> {
  return {
    sample_id: kept.sample.id,
    section_id: kept.sample.sectionId,
    spec_version: source.specVersion,
    spec_hash: source.specHash,
    generator: source.generator,
    judge: source.judge,
    compliance: kept.compliance,
    cited_sections: kept.cited,
    relied_on_sections: kept.reliedOn,
    reasoning: kept.reasoning,
  };
}
