/** The adapter for the official `openai` client: its `chat.completions.create`, streamed or not. */
import type OpenAI from "openai";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
} from "openai/resources/chat/completions";
import type { Stream } from "openai/streaming";
import type { ChatMessage } from "./chat.js";
import { guardWith } from "./guard.js";
import type { GuardResult } from "./guard-result.js";
import type { RuntimeOptions } from "./options.js";
import { prepareWith } from "./prepare.js";
import { type Resolved, resolveRuntime } from "./resolve.js";

type Create = OpenAI["chat"]["completions"]["create"];

/**
 * The client with the chain of command on `chat.completions.create`: every request assembled by `prepare` (the
 * platform rules first, untrusted text spotlighted) and, with a guard, every answer checked. A blocked or revised
 * answer comes back with its text replaced; every verdict goes to `onGuard` (for a stream, after its last chunk:
 * with `flag` the chunks flow as they come, `block` and `revise` hold them until the guard has decided). The
 * client given is not changed; everything but `chat.completions.create` is its own. The wrapped `create` returns a
 * plain promise (no `.withResponse()`).
 *
 * @example
 * import OpenAI from "openai";
 * const client = withChainOfCommand(new OpenAI(), {
 *   spec: "2025-12-18",
 *   guard: { mode: "flag", model: "openai:gpt-4.1-mini" },
 *   onGuard: (verdict) => console.log("guard:", verdict.status),
 * });
 * const completion = await client.chat.completions.create({
 *   model: "gpt-4.1-mini",
 *   messages: [{ role: "user", content: "Summarise <untrusted_text>…page…</untrusted_text>" }],
 * });
 */
export function withChainOfCommand<C extends OpenAI>(client: C, options: RuntimeOptions): C {
  const resolved = resolveRuntime(options);
  const completions = client.chat.completions;
  const create = async (body: ChatCompletionCreateParams, requestOptions?: Parameters<Create>[1]) => {
    const prepared = prepareWith(body.messages, resolved);
    const answer: ChatCompletion | Stream<ChatCompletionChunk> = await completions.create(
      { ...body, messages: prepared.messages },
      requestOptions,
    );
    if (!resolved.guard) return answer;
    // Loaded on use: an app that never streams through a guard does not load the SDK's streaming module.
    const { Stream } = await import("openai/streaming");
    return answer instanceof Stream
      ? guardStream(answer, body.messages, resolved, Stream)
      : guardCompletion(answer, body.messages, resolved);
  };
  const wrappedCompletions = overlay(completions, { create });
  const chat = overlay(client.chat, { completions: wrappedCompletions });
  return overlay(client, { chat });
}

/**
 * The object with some properties replaced, everything else its own: methods are called on the object itself,
 * since the SDK's classes keep private fields that a copy or a derived object would not have.
 */
function overlay<T extends object>(target: T, replaced: Record<string, unknown>): T {
  return new Proxy(target, {
    get(object, property) {
      if (typeof property === "string" && Object.hasOwn(replaced, property)) return replaced[property];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

async function guardCompletion(
  completion: ChatCompletion,
  messages: ChatMessage[],
  resolved: Resolved,
): Promise<ChatCompletion> {
  const choices = await Promise.all(
    completion.choices.map(async (choice) => {
      const text = choice.message.content;
      if (typeof text !== "string" || text.trim() === "") return choice;
      const verdict = await guardWith(text, messages, resolved);
      return verdict.text === text
        ? choice
        : { ...choice, message: { ...choice.message, content: verdict.text } };
    }),
  );
  return { ...completion, choices };
}

function guardStream(
  stream: Stream<ChatCompletionChunk>,
  messages: ChatMessage[],
  resolved: Resolved,
  StreamClass: typeof Stream,
): Stream<ChatCompletionChunk> {
  const hold = resolved.guard?.options.mode !== "flag";
  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    const texts = new Map<number, string>();
    const held: ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        const delta = choice.delta?.content;
        if (typeof delta === "string") texts.set(choice.index, (texts.get(choice.index) ?? "") + delta);
      }
      if (hold) held.push(chunk);
      else yield chunk;
    }
    const verdicts = new Map<number, GuardResult>();
    await Promise.all(
      [...texts].map(async ([index, text]) => {
        if (text.trim() !== "") verdicts.set(index, await guardWith(text, messages, resolved));
      }),
    );
    if (!hold) return;
    const replacing = new Map(
      [...verdicts].filter(([index, v]) => v.text !== texts.get(index)).map(([index, v]) => [index, v.text]),
    );
    yield* replaceChunkText(held, replacing);
  }
  return new StreamClass(chunks, stream.controller);
}

/** Chunks with each listed choice's text replaced: all of it in that choice's first content delta. */
function replaceChunkText(chunks: ChatCompletionChunk[], texts: Map<number, string>): ChatCompletionChunk[] {
  if (texts.size === 0) return chunks;
  const written = new Set<number>();
  return chunks.map((chunk) => ({
    ...chunk,
    choices: chunk.choices.map((choice) => {
      const text = texts.get(choice.index);
      if (text === undefined || typeof choice.delta?.content !== "string") return choice;
      const first = !written.has(choice.index);
      written.add(choice.index);
      return { ...choice, delta: { ...choice.delta, content: first ? text : "" } };
    }),
  }));
}
