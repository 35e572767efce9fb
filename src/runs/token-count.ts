/**
 * Token counts for cost estimates: OpenAI's own encodings (js-tiktoken) for the OpenAI model families that use
 * them, and characters divided by four for everything else (Anthropic, local and unknown models, whose
 * tokenizers are not available here: about right for English prose, an estimate all the same).
 */
import type { Message } from "../conversation/index.js";

/** How a model's tokens are counted: a tiktoken encoding, or characters / 4. */
export type Counting = "o200k_base" | "cl100k_base" | "chars/4";

/**
 * The counting for a model name: o200k_base for GPT-4o, GPT-4.1, GPT-4.5, GPT-5, gpt-oss and the o-series;
 * cl100k_base for GPT-4 and GPT-3.5; characters / 4 otherwise (an OpenAI-compatible server's own model names
 * included: its tokenizer is unknown).
 */
export function countingFor(model: string): Counting {
  if (!model.startsWith("openai:")) return "chars/4";
  const name = model.slice("openai:".length).toLowerCase();
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o\d)/.test(name)) return "o200k_base";
  if (/^(gpt-4|gpt-3\.5)/.test(name)) return "cl100k_base";
  return "chars/4";
}

type Count = (text: string) => number;
const counters = new Map<Counting, Promise<Count>>();

/**
 * A token counter. The encodings are loaded when first asked for (o200k_base takes about a second to build),
 * once per process.
 */
export function tokenCounter(counting: Counting): Promise<Count> {
  let counter = counters.get(counting);
  if (!counter) {
    counter = makeCounter(counting);
    counters.set(counting, counter);
  }
  return counter;
}

async function makeCounter(counting: Counting): Promise<Count> {
  if (counting === "chars/4") return (text) => Math.ceil(text.length / 4);
  const { Tiktoken } = await import("js-tiktoken/lite");
  const ranks =
    counting === "o200k_base"
      ? (await import("js-tiktoken/ranks/o200k_base")).default
      : (await import("js-tiktoken/ranks/cl100k_base")).default;
  const encoding = new Tiktoken(ranks);
  // A very long run without whitespace is one piece for the byte-pair merge, whose cost grows with the square of
  // its length: cut such runs (a token or so more per 2,000 characters, on text that is rarely prose).
  return (text) => encoding.encode(/\S{2000}/.test(text) ? text.replace(/\S{2000}/g, "$& ") : text).length;
}

/**
 * Input tokens of a request: each message's text, plus 3 tokens per message and 3 for the reply, as OpenAI's
 * chat format counts them (roles and separators). What a provider adds to render roles is not counted.
 */
export function messageTokens(messages: readonly Message[], count: Count): number {
  return messages.reduce((n, m) => n + count(m.content) + 3, 3);
}
