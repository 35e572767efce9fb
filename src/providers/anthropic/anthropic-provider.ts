import Anthropic, {
  AnthropicError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import type { MessageCreateParamsNonStreaming, Tool } from "@anthropic-ai/sdk/resources/messages";
import { checkedFetch, splitBaseURL } from "../http.js";
import { responseLimit } from "../limits.js";
import {
  answerObject,
  badResponse,
  type ErrorContext,
  isRecord,
  mapSdkError,
  nonEmpty,
  numberOr0,
  type SdkErrorClasses,
  toSchemaName,
  withCallSignal,
} from "../openai/openai-provider.js";
import { type GenerateRequest, type GenerateResult, type Provider, ProviderError } from "../types.js";
import { toAnthropicRequest } from "./role-mapping.js";

export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";
/** max_tokens is mandatory on the Messages API; used when the request does not set one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;
/** Matches the SDK default; passing it explicitly skips the SDK's "streaming is required" guard. */
const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

export interface AnthropicProviderOptions {
  /** The full provider id the user wrote, e.g. `anthropic:claude-sonnet-4-5`; used in error messages. */
  id: string;
  model: string;
  /**
   * Default: `ANTHROPIC_BASE_URL`, then https://api.anthropic.com (without `/v1`). Credentials written into it
   * (`https://user:password@host`) are sent as HTTP Basic authentication, in place of the API key.
   */
  baseURL?: string;
  /** Default: `ANTHROPIC_API_KEY`. */
  apiKey?: string;
  /** Per-call limit covering the whole exchange, headers and body. */
  timeoutMs?: number;
  /**
   * The largest answer accepted, in bytes (default 1 MiB): a response body is not read past it, and a successful
   * one over it fails as `too_large`.
   */
  maxResponseBytes?: number;
  extraHeaders?: Record<string, string>;
  /**
   * Send `temperature` when a request sets one. Default false: the SDK's request type no longer has the field
   * and recent Claude models answer 400 to it, so a run-wide temperature would fail every call.
   */
  sendTemperature?: boolean;
  /** Where ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL are read from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * A Messages API provider. One HTTP attempt per call. `seed` is ignored (the API has none), and so is
 * `temperature` unless `sendTemperature` is set.
 */
export function createAnthropicProvider(options: AnthropicProviderOptions): Provider {
  const { id, model, timeoutMs } = options;
  const maxBytes = responseLimit(options.maxResponseBytes);
  const env = options.env ?? process.env;
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env.ANTHROPIC_API_KEY);
  if (apiKey === undefined) {
    throw new ProviderError("auth", `${id}: no Anthropic API key. Set ANTHROPIC_API_KEY.`);
  }
  const base = splitBaseURL(
    nonEmpty(options.baseURL) ?? nonEmpty(env.ANTHROPIC_BASE_URL) ?? ANTHROPIC_DEFAULT_BASE_URL,
  );
  const baseURL = base.url.replace(/\/+$/, "");
  const secrets = [apiKey, ...base.secrets];
  const client = new Anthropic({
    apiKey,
    baseURL,
    // The runner owns retries and back-off; an SDK retry would hide rate limits and double the attempts.
    maxRetries: 0,
    timeout: timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : Math.max(1, Math.ceil(timeoutMs)),
    ...(options.extraHeaders ? { defaultHeaders: options.extraHeaders } : {}),
    fetch: checkedFetch({ authorization: base.authorization, maxBytes }),
  });

  return {
    id,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const { system, messages } = toAnthropicRequest(request.messages);
      const body: MessageCreateParamsNonStreaming = {
        model,
        max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
        messages,
      };
      if (system) body.system = system;
      if (options.sendTemperature && request.temperature !== undefined) {
        // Not in the SDK's request type any more; the SDK sends the body as given.
        Object.assign(body, { temperature: request.temperature });
      }
      const toolName = request.responseSchema ? toSchemaName(request.responseSchema.name) : undefined;
      if (request.responseSchema && toolName) {
        // The Messages API has no response_format here: forcing a single tool makes its input the JSON answer.
        body.tools = [
          {
            name: toolName,
            description: "Give the answer as this tool's input, following its schema exactly.",
            input_schema: request.responseSchema.schema as Tool.InputSchema,
          },
        ];
        body.tool_choice = { type: "tool", name: toolName };
      }

      return withCallSignal(request.signal, timeoutMs, async (signal, state) => {
        try {
          const reply: unknown = await client.messages.create(body, { signal });
          return parseMessage(reply, id, toolName);
        } catch (error) {
          throw toProviderError(error, { id, secrets, state, callerSignal: request.signal });
        }
      });
    },
  };
}

function parseMessage(body: unknown, id: string, toolName: string | undefined): GenerateResult {
  const data = answerObject(body, id);
  if (!Array.isArray(data.content)) throw badResponse(id, "the response has no content");
  const blocks = data.content.filter(isRecord);
  const stopReason = typeof data.stop_reason === "string" ? data.stop_reason : undefined;
  let text = blocks
    .filter((b) => b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("");
  if (toolName !== undefined) {
    const call = blocks.find((b) => b.type === "tool_use" && b.name === toolName);
    if (call) text = JSON.stringify(call.input ?? null);
    // A safety stop may end the turn before the forced tool call; that is an answer, not a broken response.
    else if (stopReason !== "refusal") throw badResponse(id, `the response has no ${toolName} tool call`);
  }
  // Anthropic counts cache reads and writes apart from input_tokens; the total matches OpenAI's prompt_tokens.
  const usage = isRecord(data.usage) ? data.usage : {};
  const cacheRead = usage.cache_read_input_tokens;
  const result: GenerateResult = {
    text,
    usage: {
      inputTokens:
        numberOr0(usage.input_tokens) + numberOr0(cacheRead) + numberOr0(usage.cache_creation_input_tokens),
      outputTokens: numberOr0(usage.output_tokens),
    },
  };
  if (typeof cacheRead === "number") result.usage.cachedInputTokens = cacheRead;
  if (stopReason !== undefined) result.finishReason = stopReason;
  return result;
}

const ANTHROPIC_ERRORS: SdkErrorClasses = {
  APIError,
  APIUserAbortError,
  APIConnectionError,
  APIConnectionTimeoutError,
  BaseError: AnthropicError,
};

function toProviderError(error: unknown, ctx: ErrorContext): ProviderError {
  return mapSdkError(
    error,
    {
      ...ctx,
      // The SDK's message is the whole JSON error body; its apiMessage is the readable part.
      detailOf: (e) => (e instanceof APIError && e.apiMessage ? e.apiMessage : undefined),
    },
    ANTHROPIC_ERRORS,
  );
}
