import {
  type GenerateRequest,
  type GenerateResult,
  type Provider,
  ProviderError,
} from "../providers/index.js";
import type { AdaptiveLimiter } from "./limiter.js";

export interface CallPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  timeoutMs: number;
  /** Back-off before retry n is base·2^(n-1) with jitter, capped; a Retry-After from the server wins. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_POLICY: CallPolicy = {
  maxAttempts: 6,
  timeoutMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

export interface CallStats {
  attempts: number;
  retries: number;
}

/**
 * The one retry layer: calls a provider through its limiter with a per-request timeout, retrying retryable
 * failures within the cap. Non-retryable errors and exhausted retries surface as the last ProviderError.
 */
export async function callProvider(
  provider: Provider,
  limiter: AdaptiveLimiter,
  request: GenerateRequest,
  policy: CallPolicy,
  signal: AbortSignal,
  onRetry?: (error: ProviderError, attempt: number) => void,
): Promise<{ result: GenerateResult; stats: CallStats }> {
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw new ProviderError("aborted", "stopped");
    await limiter.acquire(signal).catch(() => {
      throw new ProviderError("aborted", "stopped");
    });
    // One signal for the provider, fired by a stop or by the timeout. A referenced timer (AbortSignal.timeout is
    // unreferenced and would let a hung call outlive the process), and a listener removed after the call
    // (Node 20's AbortSignal.any keeps a reference per call on the run's signal: 200 000 calls, tens of MB).
    const call = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      call.abort();
    }, policy.timeoutMs);
    const stop = () => call.abort();
    signal.addEventListener("abort", stop, { once: true });
    let result: GenerateResult | undefined;
    let error: ProviderError | undefined;
    try {
      result = await provider.generate({ ...request, signal: call.signal });
    } catch (raw) {
      error = raw instanceof ProviderError ? raw : new ProviderError("bad_response", (raw as Error).message);
      if (error.kind === "aborted" && timedOut && !signal.aborted) {
        error = new ProviderError("timeout", `no answer within ${policy.timeoutMs} ms`);
      }
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
    }
    const rateLimited = error?.kind === "rate_limit";
    limiter.release(result ? "success" : rateLimited ? "rate_limited" : "other", error?.retryAfterMs);
    if (result) return { result, stats: { attempts: attempt, retries: attempt - 1 } };
    if (!error) throw new ProviderError("bad_response", "no result");
    if (!error.retryable || attempt >= policy.maxAttempts || signal.aborted) throw error;
    onRetry?.(error, attempt);
    // A rate limit pauses the whole limiter until Retry-After; other errors back off this request only.
    if (!rateLimited) {
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(error.retryAfterMs ?? backoff * (0.5 + Math.random() / 2), signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
