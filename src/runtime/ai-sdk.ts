/**
 * The Vercel AI SDK adapter (AI SDK 6, language model specification v3). Only types come from the SDK: the
 * middleware is a plain object, so apps that never use it do not load `ai` (an optional peer dependency).
 */
import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3Middleware,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3ToolResultOutput,
  SharedV3ProviderMetadata,
  SharedV3ProviderOptions,
} from "@ai-sdk/provider";
import type { ChatMessage } from "./chat.js";
import { guardWith } from "./guard.js";
import type { GuardResult } from "./guard-result.js";
import type { RuntimeOptions } from "./options.js";
import { type RequestMarker, requestMarker } from "./prepare.js";
import { type Resolved, resolveRuntime } from "./resolve.js";

type Message = LanguageModelV3Prompt[number];

/**
 * The chain of command as AI SDK middleware: `transformParams` places the platform rules first and spotlights
 * untrusted text (tool results, `<untrusted_text>` blocks, text parts with `providerOptions.modelspec.untrusted`);
 * `wrapGenerate` and `wrapStream` apply the guard. Its verdict is in `providerMetadata.modelspec` (of the result,
 * or of the stream's finish part). With `flag` a stream flows as it comes and the verdict rides on its finish;
 * `block` and `revise` hold the stream until the guard has decided.
 *
 * @example
 * import { generateText, wrapLanguageModel } from "ai";
 * const model = wrapLanguageModel({
 *   model: openai("gpt-4.1-mini"), // any AI SDK 6 language model
 *   middleware: chainOfCommand({ spec: "2025-12-18", guard: { mode: "flag", model: "openai:gpt-4.1-mini" } }),
 * });
 * const { text, providerMetadata } = await generateText({ model, prompt: "Hello!" });
 */
export function chainOfCommand(options: RuntimeOptions): LanguageModelV3Middleware {
  const resolved = resolveRuntime(options);
  // The conversation as the app wrote it, for the guard, by the transformed call it belongs to.
  const conversations = new WeakMap<LanguageModelV3CallOptions, ChatMessage[]>();
  const conversationOf = (params: LanguageModelV3CallOptions) =>
    conversations.get(params) ?? toChatMessages(params.prompt);
  return {
    specificationVersion: "v3",
    async transformParams({ params }) {
      const next = { ...params, prompt: markPrompt(params.prompt, requestMarker(resolved)) };
      conversations.set(next, toChatMessages(params.prompt));
      return next;
    },
    async wrapGenerate({ doGenerate, params }) {
      const result = await doGenerate();
      const text = result.content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("");
      if (!resolved.guard || text.trim() === "") return result;
      const verdict = await guardWith(text, conversationOf(params), resolved);
      return {
        ...result,
        content: verdict.text === text ? result.content : replaceText(result.content, verdict.text),
        providerMetadata: withVerdict(result.providerMetadata, verdict),
      };
    },
    async wrapStream({ doStream, params }) {
      const result = await doStream();
      if (!resolved.guard) return result;
      const conversation = conversationOf(params);
      if (resolved.guard.options.mode === "flag") {
        return { ...result, stream: result.stream.pipeThrough(flagAtFinish(conversation, resolved)) };
      }
      const parts = await readAll(result.stream);
      const text = parts.flatMap((p) => (p.type === "text-delta" ? [p.delta] : [])).join("");
      const verdict = text.trim() === "" ? null : await guardWith(text, conversation, resolved);
      return { ...result, stream: streamOf(verdict ? replaceStreamText(parts, text, verdict) : parts) };
    },
  };
}

/** The prompt with the platform message first and untrusted text marked. */
function markPrompt(prompt: LanguageModelV3Prompt, marker: RequestMarker): LanguageModelV3Prompt {
  const marked = prompt.map((m): Message => {
    if (m.role === "system") return { ...m, content: marker.text(m.content, "system") };
    if (m.role === "user") {
      return { ...m, content: m.content.map((p) => (p.type === "text" ? markText(p, "user", marker) : p)) };
    }
    if (m.role === "assistant") {
      return {
        ...m,
        content: m.content.map((p) =>
          p.type === "text"
            ? markText(p, "assistant", marker)
            : p.type === "tool-result"
              ? { ...p, output: markOutput(p.output, p.toolName, marker) }
              : p,
        ),
      };
    }
    return {
      ...m,
      content: m.content.map((p) =>
        p.type === "tool-result" ? { ...p, output: markOutput(p.output, p.toolName, marker) } : p,
      ),
    };
  });
  const platform = marker.platform();
  return platform === "" ? marked : [{ role: "system", content: platform }, ...marked];
}

/** The typed form of the convention here: a text part whose `providerOptions.modelspec.untrusted` is true. */
function untrustedSource(part: { providerOptions?: SharedV3ProviderOptions }): string | null {
  const mine = part.providerOptions?.modelspec;
  if (mine?.untrusted !== true) return null;
  return typeof mine.source === "string" ? mine.source : "";
}

function markText<P extends { type: "text"; text: string; providerOptions?: SharedV3ProviderOptions }>(
  part: P,
  role: string,
  marker: RequestMarker,
): P {
  const source = untrustedSource(part);
  return {
    ...part,
    text: source === null ? marker.text(part.text, role) : marker.untrusted(part.text, source),
  };
}

/** A tool's output as marked text (JSON as its text); a denied execution has none. */
function markOutput(
  output: LanguageModelV3ToolResultOutput,
  toolName: string,
  marker: RequestMarker,
): LanguageModelV3ToolResultOutput {
  const mark = (text: string) => marker.text(text, "tool", toolName);
  switch (output.type) {
    case "text":
    case "error-text":
      return { ...output, value: mark(output.value) };
    case "json":
      return { type: "text", value: mark(JSON.stringify(output.value)) };
    case "error-json":
      return { type: "error-text", value: mark(JSON.stringify(output.value)) };
    case "content":
      return {
        ...output,
        value: output.value.map((v) => (v.type === "text" ? { ...v, text: mark(v.text) } : v)),
      };
    default:
      return output;
  }
}

/** The prompt as chat messages, for the guard's view of the conversation (untrusted text kept as data). */
function toChatMessages(prompt: LanguageModelV3Prompt): ChatMessage[] {
  return prompt.map((m) => {
    if (m.role === "system") return { role: "system", content: m.content };
    const parts = m.content.flatMap((p) => {
      if (p.type === "text") {
        return untrustedSource(p) === null
          ? [{ type: "text", text: p.text }]
          : [{ type: "untrusted_text", text: p.text }];
      }
      if (p.type === "tool-result") {
        const o = p.output;
        const text =
          o.type === "text" || o.type === "error-text"
            ? o.value
            : o.type === "json" || o.type === "error-json"
              ? JSON.stringify(o.value)
              : o.type === "content"
                ? o.value.flatMap((v) => (v.type === "text" ? [v.text] : [])).join("\n")
                : "";
        return [{ type: "untrusted_text", text }];
      }
      return [];
    });
    return { role: m.role, content: parts };
  });
}

/** The content with its text parts replaced by one (the refusal or the revision), where the first one was. */
function replaceText(content: LanguageModelV3Content[], text: string): LanguageModelV3Content[] {
  const first = content.findIndex((c) => c.type === "text");
  return content.flatMap((c, i): LanguageModelV3Content[] =>
    c.type !== "text" ? [c] : i === first ? [{ ...c, text }] : [],
  );
}

function withVerdict(
  metadata: SharedV3ProviderMetadata | undefined,
  verdict: GuardResult,
): SharedV3ProviderMetadata {
  return {
    ...metadata,
    modelspec: {
      guard: verdict.status,
      sections: verdict.sections,
      compliance: verdict.compliance,
      rationale: verdict.rationale,
      rounds: verdict.rounds,
    },
  };
}

/** Passes every part on at once; the finish part waits for the guard and carries its verdict. */
function flagAtFinish(
  conversation: ChatMessage[],
  resolved: Resolved,
): TransformStream<LanguageModelV3StreamPart, LanguageModelV3StreamPart> {
  let text = "";
  return new TransformStream({
    async transform(part, controller) {
      if (part.type === "text-delta") text += part.delta;
      if (part.type === "finish" && text.trim() !== "") {
        const verdict = await guardWith(text, conversation, resolved);
        controller.enqueue({ ...part, providerMetadata: withVerdict(part.providerMetadata, verdict) });
        return;
      }
      controller.enqueue(part);
    },
  });
}

/** The parts again, with the text replaced (block, revise) and the verdict on the finish part. */
function replaceStreamText(
  parts: LanguageModelV3StreamPart[],
  original: string,
  verdict: GuardResult,
): LanguageModelV3StreamPart[] {
  const replace = verdict.text !== original;
  let firstId: string | undefined;
  return parts.flatMap((p): LanguageModelV3StreamPart[] => {
    if (p.type === "finish") return [{ ...p, providerMetadata: withVerdict(p.providerMetadata, verdict) }];
    if (!replace) return [p];
    if (p.type === "text-start") {
      if (firstId !== undefined) return [];
      firstId = p.id;
      return [p, { type: "text-delta", id: p.id, delta: verdict.text }];
    }
    if (p.type === "text-delta") return [];
    if (p.type === "text-end") return p.id === firstId ? [p] : [];
    return [p];
  });
}

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const parts: T[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
  return parts;
}

function streamOf<T>(parts: T[]): ReadableStream<T> {
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(p);
      controller.close();
    },
  });
}
