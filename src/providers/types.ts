import type { Message } from "../conversation/index.js";
import { ModelspecError } from "../errors.js";
import { redactSecrets } from "./redact.js";

/** A JSON schema the answer must follow (structured output), with a name for APIs that want one. */
export interface ResponseSchema {
  name: string;
  schema: Record<string, unknown>;
}

export interface GenerateRequest {
  messages: Message[];
  maxTokens?: number;
  temperature?: number;
  seed?: number;
  /** Ask for schema-constrained JSON output where the provider supports it. */
  responseSchema?: ResponseSchema;
  signal?: AbortSignal;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache, when it reports them. */
  cachedInputTokens?: number;
}

export interface GenerateResult {
  text: string;
  usage: TokenUsage;
  /** Why generation stopped, as the provider says it (stop, length, refusal, ...). */
  finishReason?: string;
  /** The provider's own refusal message, when it gives one apart from the text. */
  refusal?: string;
}

/**
 * One model behind one small interface. `id` is the full name the user wrote, e.g. `openai:gpt-4.1-mini`.
 * Implementations make exactly one attempt per call: retries, back-off and concurrency belong to the runner.
 */
export interface Provider {
  readonly id: string;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  close?(): Promise<void>;
}

/**
 * What went wrong, as the runner needs to know it. `bad_response` is a whole, well-formed answer without what the
 * API promises (no choices, no content): asking again gets the same. `malformed_response` is an answer broken on
 * the way (a 200 whose body is cut short, not JSON, or not UTF-8): asking again may well get it whole. A 200
 * whose body is an error object is the error it reports (by its HTTP code; `server` when it names none).
 * `too_large` is an answer over the provider's `maxResponseBytes`: not read past the limit, not kept, not retried.
 */
export type ProviderErrorKind =
  | "rate_limit"
  | "server"
  | "timeout"
  | "network"
  | "auth"
  | "bad_request"
  | "bad_response"
  | "malformed_response"
  | "too_large"
  | "aborted";

const RETRYABLE_KINDS: ReadonlySet<ProviderErrorKind> = new Set([
  "rate_limit",
  "server",
  "timeout",
  "network",
  "malformed_response",
]);

/**
 * A failed provider call, or a provider that cannot be created (no API key: kind `auth`). In a run it becomes an
 * `error` verdict with its kind, never a pass or a fail. Its message is stored and shown, so it is redacted when
 * the error is built, whoever builds it: the given `secrets` however they were echoed (as they are,
 * percent-encoded, JSON-escaped), credentials in URLs (`user:password@`), secret-looking parameters
 * (`api_key=`, `key=`, `token=`, …), bearer tokens and anything shaped like an API key.
 *
 * @example
 * try {
 *   await provider.generate({ messages: [textMessage("user", "Hi")] });
 * } catch (error) {
 *   if (error instanceof ProviderError && error.retryable) console.log(error.kind, error.retryAfterMs);
 * }
 */
export class ProviderError extends ModelspecError {
  readonly code = "ERR_PROVIDER";
  override readonly name = "ProviderError";
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  /** Delay the provider asked for (Retry-After), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: ProviderErrorKind,
    message: string,
    options: {
      status?: number;
      retryAfterMs?: number;
      /** Values the message must not carry (the provider's key, a password), besides what looks like one. */
      secrets?: readonly (string | undefined)[];
    } = {},
  ) {
    super(redactSecrets(message, options.secrets));
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /**
   * Rate limits, server errors, timeouts, dropped connections and answers broken on the way may succeed on a later
   * attempt; refused requests, failed authentication and well-formed but unusable answers would not.
   */
  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}
