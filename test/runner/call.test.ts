import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { textMessage } from "../../src/conversation/index.js";
import { type GenerateResult, type Provider, ProviderError } from "../../src/providers/index.js";
import { AdaptiveLimiter, type CallPolicy, callProvider } from "../../src/runner/index.js";

const policy: CallPolicy = { maxAttempts: 4, timeoutMs: 1000, baseDelayMs: 5, maxDelayMs: 20 };
const request = { messages: [textMessage("user", "hi")] };
const ok: GenerateResult = { text: "fine", usage: { inputTokens: 1, outputTokens: 1 } };

/** An in-process provider answering from a script of outcomes, recording start times and concurrency. */
function scripted(outcomes: (GenerateResult | ProviderError | "hang")[], delayMs = 0) {
  const starts: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const provider: Provider = {
    id: "test:scripted",
    async generate(req) {
      starts.push(Date.now());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const outcome = outcomes.length > 1 ? outcomes.shift() : outcomes[0];
        if (outcome === "hang") {
          await new Promise((_, reject) =>
            req.signal?.addEventListener("abort", () => reject(new ProviderError("aborted", "aborted"))),
          );
        }
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        if (outcome instanceof ProviderError) throw outcome;
        return outcome as GenerateResult;
      } finally {
        inFlight--;
      }
    },
  };
  return { provider, starts, maxInFlight: () => maxInFlight };
}

const run = (p: Provider, limiter = new AdaptiveLimiter(4), signal = new AbortController().signal) =>
  callProvider(p, limiter, request, policy, signal);

describe("callProvider: one retry layer with caps", () => {
  test("retries server errors and dropped connections, then succeeds", async () => {
    const s = scripted([new ProviderError("server", "500"), new ProviderError("network", "reset"), ok]);
    const { result, stats } = await run(s.provider);
    assert.equal(result.text, "fine");
    assert.deepEqual(stats, { attempts: 3, retries: 2 });
  });

  test("gives up after maxAttempts with the last error", async () => {
    const s = scripted([new ProviderError("server", "500")]);
    await assert.rejects(run(s.provider), { name: "ProviderError", kind: "server" });
    assert.equal(s.starts.length, 4);
  });

  test("retries an answer broken on the way (malformed_response), then succeeds", async () => {
    const s = scripted([new ProviderError("malformed_response", "cut short"), ok]);
    const { result, stats } = await run(s.provider);
    assert.equal(result.text, "fine");
    assert.deepEqual(stats, { attempts: 2, retries: 1 });
  });

  test("does not retry what cannot succeed (bad request, auth, bad response, too large)", async () => {
    for (const kind of ["bad_request", "auth", "bad_response", "too_large"] as const) {
      const s = scripted([new ProviderError(kind, kind)]);
      await assert.rejects(run(s.provider), { kind });
      assert.equal(s.starts.length, 1, kind);
    }
  });

  test("a 429 pauses the provider until Retry-After has passed and halves concurrency", async () => {
    const s = scripted([new ProviderError("rate_limit", "429", { retryAfterMs: 300 }), ok]);
    const limiter = new AdaptiveLimiter(8);
    await run(s.provider, limiter);
    const [first = 0, second = 0] = s.starts;
    assert.ok(second - first >= 290, `waited ${second - first} ms`);
    assert.equal(limiter.currentLimit, 4);
  });

  test("a hung request times out as kind timeout; a stop is kind aborted", async () => {
    const hung = scripted(["hang"]);
    await assert.rejects(
      callProvider(
        hung.provider,
        new AdaptiveLimiter(1),
        request,
        { ...policy, maxAttempts: 2, timeoutMs: 50 },
        new AbortController().signal,
      ),
      {
        kind: "timeout",
      },
    );
    assert.equal(hung.starts.length, 2);
    const stop = new AbortController();
    const pending = run(scripted(["hang"]).provider, new AdaptiveLimiter(1), stop.signal);
    setTimeout(() => stop.abort(), 20);
    await assert.rejects(pending, { kind: "aborted" });
  });
});

describe("AdaptiveLimiter", () => {
  test("refuses a limit that could never start a request", () => {
    for (const bad of [0, -1, 1.5, Number.NaN])
      assert.throws(() => new AdaptiveLimiter(bad), RangeError, String(bad));
  });

  test("never lets more than the limit run at once", async () => {
    const s = scripted([ok], 20);
    const limiter = new AdaptiveLimiter(3);
    await Promise.all(Array.from({ length: 12 }, () => run(s.provider, limiter)));
    assert.equal(s.maxInFlight(), 3);
  });

  test("recovers one slot per window of successes after a rate limit", () => {
    const limiter = new AdaptiveLimiter(4);
    limiter.release("rate_limited", 0);
    assert.equal(limiter.currentLimit, 2);
    limiter.release("success");
    assert.equal(limiter.currentLimit, 2);
    limiter.release("success");
    assert.equal(limiter.currentLimit, 3);
  });

  test("a burst of 429s (answered while the limiter is paused) halves the limit once", () => {
    const limiter = new AdaptiveLimiter(8);
    for (let i = 0; i < 4; i++) limiter.release("rate_limited", 50);
    assert.equal(limiter.currentLimit, 4);
  });
});
