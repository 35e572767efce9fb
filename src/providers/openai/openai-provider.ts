import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError,
} from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { BodyProblem, checkedFetch, splitBaseURL } from "../http.js";
import { responseLimit } from "../limits.js";
import {
  type GenerateRequest,
  type GenerateResult,
  type Provider,
  ProviderError,
  type ProviderErrorKind,
} from "../types.js";
import { toOpenAIMessages } from "./role-mapping.js";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
/** Sent as the key to servers that ignore it (vLLM, llama.cpp, Ollama, LM Studio): the SDK insists on one. */
const PLACEHOLDER_API_KEY = "not-needed";

export interface OpenAIProviderOptions {
  /** The full provider id the user wrote, e.g. `openai:gpt-4.1-mini`; used in error messages. */
  id: string;
  model: string;
  /**
   * Default: `OPENAI_BASE_URL`, then https://api.openai.com/v1. Credentials written into it
   * (`https://user:password@host/v1`) are sent as HTTP Basic authentication, in place of the API key.
   */
  baseURL?: string;
  /** Default: `OPENAI_API_KEY`. Required for api.openai.com only. */
  apiKey?: string;
  /** Per-call limit covering the whole exchange, headers and body. No limit of our own when unset. */
  timeoutMs?: number;
  /**
   * The largest answer accepted, in bytes (default 1 MiB): a response body is not read past it, and a successful
   * one over it fails as `too_large`.
   */
  maxResponseBytes?: number;
  extraHeaders?: Record<string, string>;
  /**
   * Role for developer messages. Default `developer` on api.openai.com and `system` elsewhere, because many
   * OpenAI-compatible servers reject the developer role (see `toOpenAIMessages`).
   */
  developerRole?: "developer" | "system";
  /** Where OPENAI_API_KEY and OPENAI_BASE_URL are read from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** A fetch to send requests through (proxies, tests). Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
}

/** A Chat Completions provider for OpenAI and OpenAI-compatible servers. One HTTP attempt per call. */
export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  const { id, model, timeoutMs } = options;
  const maxBytes = responseLimit(options.maxResponseBytes);
  const env = options.env ?? process.env;
  const base = splitBaseURL(
    nonEmpty(options.baseURL) ?? nonEmpty(env.OPENAI_BASE_URL) ?? OPENAI_DEFAULT_BASE_URL,
  );
  const baseURL = base.url.replace(/\/+$/, "");
  const official = isOfficialOpenAI(baseURL, id);
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env.OPENAI_API_KEY);
  if (apiKey === undefined && official) {
    throw new ProviderError(
      "auth",
      `${id}: no API key for api.openai.com. Set OPENAI_API_KEY (or point OPENAI_BASE_URL at a compatible server).`,
    );
  }
  const developerRole = options.developerRole ?? (official ? "developer" : "system");
  const secrets = [apiKey, ...base.secrets];

  const client = new OpenAI({
    apiKey: apiKey ?? PLACEHOLDER_API_KEY,
    baseURL,
    // The runner owns retries and back-off; an SDK retry would hide rate limits and double the attempts.
    maxRetries: 0,
    ...(timeoutMs !== undefined ? { timeout: Math.max(1, Math.ceil(timeoutMs)) } : {}),
    ...(options.extraHeaders ? { defaultHeaders: options.extraHeaders } : {}),
    fetch: checkedFetch({ fetch: options.fetch, authorization: base.authorization, maxBytes }),
  });

  return {
    id,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const body: ChatCompletionCreateParamsNonStreaming = {
        model,
        messages: toOpenAIMessages(request.messages, { developerRole }),
      };
      // api.openai.com deprecated max_tokens (reasoning models reject it); compatible servers mostly only know it.
      if (request.maxTokens !== undefined) {
        if (official) body.max_completion_tokens = request.maxTokens;
        else body.max_tokens = request.maxTokens;
      }
      if (request.temperature !== undefined) body.temperature = request.temperature;
      if (request.seed !== undefined) body.seed = request.seed;
      if (request.responseSchema) {
        body.response_format = {
          type: "json_schema",
          json_schema: {
            name: toSchemaName(request.responseSchema.name),
            schema: request.responseSchema.schema,
            strict: true,
          },
        };
      }

      return withCallSignal(request.signal, timeoutMs, async (signal, state) => {
        try {
          const completion: unknown = await client.chat.completions.create(body, { signal });
          return parseCompletion(completion, id);
        } catch (error) {
          throw toProviderError(error, { id, secrets, state, callerSignal: request.signal });
        }
      });
    },
  };
}

function isOfficialOpenAI(baseURL: string, id: string): boolean {
  try {
    return new URL(baseURL).hostname === "api.openai.com";
  } catch {
    // Not shown when it may hold credentials that did not parse as such.
    const shown = baseURL.includes("@") ? "" : `: ${baseURL}`;
    throw new ProviderError("bad_request", `${id}: the base URL is not a valid URL${shown}`);
  }
}

function parseCompletion(body: unknown, id: string): GenerateResult {
  const data = answerObject(body, id);
  const choice: unknown = Array.isArray(data.choices) ? data.choices[0] : undefined;
  if (!isRecord(choice)) throw badResponse(id, "the response has no choices");
  const message = choice.message;
  if (!isRecord(message)) throw badResponse(id, "the first choice has no message");
  const refusal = typeof message.refusal === "string" ? message.refusal : undefined;
  if (typeof message.content !== "string" && refusal === undefined) {
    throw badResponse(id, "the message has neither content nor a refusal");
  }
  const usage = isRecord(data.usage) ? data.usage : {};
  const details = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const result: GenerateResult = {
    text: typeof message.content === "string" ? message.content : "",
    // Some compatible servers omit usage; zero says "unknown" without failing a good answer.
    usage: { inputTokens: numberOr0(usage.prompt_tokens), outputTokens: numberOr0(usage.completion_tokens) },
  };
  if (typeof details.cached_tokens === "number") result.usage.cachedInputTokens = details.cached_tokens;
  if (typeof choice.finish_reason === "string") result.finishReason = choice.finish_reason;
  if (refusal !== undefined) result.refusal = refusal;
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers shared with the Anthropic provider (both SDKs are generated by Stainless and fail the same way).

/** JSON-schema and tool names must match ^[a-zA-Z0-9_-]{1,64}$ on both APIs. */
export function toSchemaName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]+/g, "_").slice(0, 64);
  return cleaned === "" ? "response" : cleaned;
}

export interface CallState {
  /** True once our own timeoutMs fired, so the abort that follows is reported as a timeout. */
  timedOut: boolean;
  timeoutMs: number | undefined;
}

/**
 * Runs one call under a signal that fires on the caller's abort or on timeoutMs. The SDK's own timeout only
 * covers the wait for response headers, so a body that stalls would otherwise hang past timeoutMs.
 */
export async function withCallSignal<T>(
  callerSignal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  run: (signal: AbortSignal, state: CallState) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const state: CallState = { timedOut: false, timeoutMs };
  const onAbort = () => controller.abort();
  if (callerSignal?.aborted) controller.abort();
  else callerSignal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          state.timedOut = true;
          controller.abort();
        }, timeoutMs);
  try {
    return await run(controller.signal, state);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", onAbort);
  }
}

type ErrorClass<T = Error> = abstract new (...args: never[]) => T;

/** The SDK error classes the mapping needs; each SDK brings its own copies. */
export interface SdkErrorClasses {
  APIError: ErrorClass<Error & { status: number | undefined; headers: unknown }>;
  APIUserAbortError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
  /** The SDK's base error, thrown for problems found before sending (invalid options). */
  BaseError: ErrorClass;
}

type StatusError = Error & { status: number };

export interface ErrorContext {
  id: string;
  /** Values that must never reach an error message (the API key, the base URL's credentials). */
  secrets: readonly (string | undefined)[];
  state: CallState;
  callerSignal: AbortSignal | undefined;
  /** Provider-specific refinement of an HTTP error, e.g. OpenAI's non-retryable insufficient_quota 429. */
  refineStatus?: (error: StatusError) => { kind: ProviderErrorKind; message: string } | undefined;
  /** The server's own error message, when the SDK's message wraps it in JSON. */
  detailOf?: (error: StatusError) => string | undefined;
}

/** Turns anything an SDK call can throw into one precise ProviderError whose message holds no secret. */
export function mapSdkError(error: unknown, ctx: ErrorContext, classes: SdkErrorClasses): ProviderError {
  if (error instanceof ProviderError) return error;
  const make = (
    kind: ProviderErrorKind,
    message: string,
    extra: { status?: number; retryAfterMs?: number } = {},
  ) => new ProviderError(kind, `${ctx.id}: ${message}`, { ...extra, secrets: ctx.secrets });

  // Our own signal fired: the SDK reports both causes as a user abort, so tell them apart here.
  if (ctx.state.timedOut) return make("timeout", `no complete answer within ${ctx.state.timeoutMs} ms`);
  if (ctx.callerSignal?.aborted) return make("aborted", "request aborted by the caller");
  // Found by our fetch (the SDK wraps what a fetch throws in a connection error) or by a parser.
  const problem = bodyProblemIn(error);
  if (problem) return make(problem.kind, problem.message);
  if (error instanceof classes.APIConnectionTimeoutError) return make("timeout", "request timed out");
  if (error instanceof classes.APIUserAbortError) return make("aborted", "request aborted");
  if (error instanceof classes.APIConnectionError) {
    return make("network", `connection failed${describeCause(error)}`);
  }
  if (error instanceof classes.APIError && typeof error.status === "number") {
    const status = error.status;
    const detail = truncate(ctx.detailOf?.(error as StatusError) ?? error.message.replace(/^\d{3}\s+/, ""));
    const refined = ctx.refineStatus?.(error as StatusError);
    if (refined) return make(refined.kind, `HTTP ${status} ${refined.message}: ${detail}`, { status });
    const { kind, what } = statusFailure(status);
    const retryAfterMs = kind === "rate_limit" ? parseRetryAfterMs(error.headers) : undefined;
    const wait = retryAfterMs === undefined ? "" : ` (retry after ${retryAfterMs} ms)`;
    return make(kind, `HTTP ${status} ${what}${wait}: ${detail}`, { status, retryAfterMs });
  }
  // The SDK parses a JSON body with JSON.parse: a 200 cut short, or not JSON at all.
  if (error instanceof SyntaxError) {
    return make("malformed_response", "the response body is not valid JSON (cut short, or not JSON)");
  }
  // undici fails a body read with `TypeError: terminated` (cause: the socket error) when the peer drops.
  if (error instanceof TypeError && isRecord(error.cause)) {
    return make("network", `connection lost while reading the response${describeCause(error)}`);
  }
  if (error instanceof classes.BaseError) return make("bad_request", truncate(error.message));
  const message = error instanceof Error ? error.message : String(error);
  return make("bad_response", `unexpected failure: ${truncate(message)}`);
}

/** The failure an HTTP error status reports, and how to say it. */
function statusFailure(status: number): { kind: ProviderErrorKind; what: string } {
  if (status === 429) return { kind: "rate_limit", what: "rate limited" };
  if (status === 408) return { kind: "timeout", what: "the server timed out" };
  if (status >= 500) return { kind: "server", what: "server error" };
  if (status === 401 || status === 403) {
    return { kind: "auth", what: "authentication failed (check the API key)" };
  }
  return { kind: "bad_request", what: "request rejected" };
}

function bodyProblemIn(error: unknown): BodyProblem | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current instanceof BodyProblem) return current;
    current = current.cause;
  }
  return undefined;
}

/**
 * The answer a parser works on. A body the SDK could not parse as JSON (it hands over text when the content type
 * is not JSON) is a `malformed_response`; a JSON value that is not an object a `bad_response`; an error object
 * in place of an answer (some OpenAI-compatible servers and proxies answer 200 with one) is the error it reports.
 */
export function answerObject(body: unknown, id: string): Record<string, unknown> {
  let data = body;
  if (typeof data === "string" || data === undefined) {
    try {
      data = JSON.parse(data ?? "");
    } catch {
      throw new BodyProblem("malformed_response", "the response body is not JSON");
    }
  }
  if (!isRecord(data)) throw badResponse(id, "the response body is not a JSON object");
  const problem = errorInBody(data);
  if (problem) throw problem;
  return data;
}

/** Error codes and types some servers put in a 200's error object, by the HTTP status they stand for. */
const ERROR_CODE_STATUS = new Map<string, number>([
  ["invalid_request_error", 400],
  ["authentication_error", 401],
  ["invalid_api_key", 401],
  ["permission_error", 403],
  ["not_found_error", 404],
  ["model_not_found", 404],
  ["request_too_large", 413],
  ["rate_limit_error", 429],
  ["rate_limit_exceeded", 429],
  ["api_error", 500],
  ["server_error", 500],
  ["overloaded_error", 529],
]);

/**
 * The error a 200 carries in place of an answer: `{error: {message, code}}` (OpenAI-style; OpenRouter puts an
 * HTTP status in `code`), `{type: "error", error: {type, message}}` (Anthropic-style), `{object: "error",
 * message, code}` (vLLM-style). It is classified by the HTTP status it names, else by its code or type, else
 * as a server error.
 */
function errorInBody(data: Record<string, unknown>): BodyProblem | undefined {
  if (Array.isArray(data.choices) || Array.isArray(data.content)) return undefined;
  const inner = data.error;
  const isError =
    isRecord(inner) ||
    (typeof inner === "string" && inner !== "") ||
    data.type === "error" ||
    data.object === "error";
  if (!isError) return undefined;
  const error = isRecord(inner) ? inner : data;
  const message = typeof inner === "string" ? inner : error.message;
  const detail = truncate(typeof message === "string" && message !== "" ? message : JSON.stringify(data));
  const codes = [error.code, error.status, error.type, data.code, data.status];
  if (codes.includes("insufficient_quota")) {
    return new BodyProblem(
      "auth",
      `HTTP 200 with an error instead of an answer: ${QUOTA_EXHAUSTED.message}: ${detail}`,
    );
  }
  const status = codes.map(statusOfCode).find((s) => s !== undefined);
  if (status === undefined) {
    return new BodyProblem("server", `HTTP 200 with an error instead of an answer: ${detail}`);
  }
  const { kind, what } = statusFailure(status);
  return new BodyProblem(
    kind,
    `HTTP 200 with an error instead of an answer, read as HTTP ${status} ${what}: ${detail}`,
  );
}

function statusOfCode(code: unknown): number | undefined {
  const number =
    typeof code === "number" ? code : typeof code === "string" && /^\d{3}$/.test(code) ? Number(code) : NaN;
  if (number >= 400 && number <= 599) return number;
  return typeof code === "string" ? ERROR_CODE_STATUS.get(code) : undefined;
}

/** Milliseconds from `retry-after-ms`, or `Retry-After` as seconds or an HTTP date; undefined if absent. */
function parseRetryAfterMs(headers: unknown, now: number = Date.now()): number | undefined {
  if (!(headers instanceof Headers)) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const retryAfter = headers.get("retry-after")?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describeCause(error: Error): string {
  const parts: string[] = [];
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 4 && isRecord(cause); depth++) {
    const message = typeof cause.message === "string" ? cause.message : "";
    const code = typeof cause.code === "string" ? cause.code : "";
    if (message || code) parts.push(code ? `${message} [${code}]`.trim() : message);
    cause = cause.cause;
  }
  return parts.length > 0 ? ` (${truncate(parts.join("; "))})` : "";
}

function truncate(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function badResponse(id: string, what: string): ProviderError {
  return new ProviderError("bad_response", `${id}: ${what}`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function numberOr0(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

const OPENAI_ERRORS: SdkErrorClasses = {
  APIError,
  APIUserAbortError,
  APIConnectionError,
  APIConnectionTimeoutError,
  BaseError: OpenAIError,
};

const QUOTA_EXHAUSTED = {
  kind: "auth",
  message: "quota exhausted (insufficient_quota): check the account's plan and billing",
} as const;

function isQuotaError(error: Error): boolean {
  return (
    error instanceof APIError && (error.code === "insufficient_quota" || error.type === "insufficient_quota")
  );
}

function toProviderError(error: unknown, ctx: ErrorContext): ProviderError {
  return mapSdkError(
    error,
    {
      ...ctx,
      // A 429 for an exhausted quota never clears by waiting; retrying it would loop until the run gives up.
      refineStatus: (e) => (e.status === 429 && isQuotaError(e) ? QUOTA_EXHAUSTED : undefined),
    },
    OPENAI_ERRORS,
  );
}
