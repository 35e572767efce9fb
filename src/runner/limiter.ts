/**
 * Bounded, adaptive concurrency for one provider. Additive increase, multiplicative decrease: a 429 halves the
 * number of requests allowed in flight and pauses new ones until Retry-After has passed (429s that come back
 * during that pause are the same burst and halve nothing more); each success then lets one more through, up to
 * the configured maximum. That settles just under a server's rate limit.
 */
export class AdaptiveLimiter {
  private limit: number;
  private active = 0;
  private pausedUntil = 0;
  private successesSinceDecrease = 0;
  private readonly waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly maxConcurrency: number) {
    // Zero would never start a request: the run would wait forever on an empty event loop.
    if (!(Number.isInteger(maxConcurrency) && maxConcurrency >= 1)) {
      throw new RangeError(
        `AdaptiveLimiter: maxConcurrency must be a whole number ≥ 1, got ${maxConcurrency}`,
      );
    }
    this.limit = maxConcurrency;
  }

  get currentLimit(): number {
    return this.limit;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.canStart()) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(ready);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason ?? new Error("aborted"));
      };
      const ready = () => {
        signal?.removeEventListener("abort", onAbort);
        this.active++;
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(ready);
      this.schedule();
    });
  }

  release(outcome: "success" | "rate_limited" | "other", retryAfterMs?: number): void {
    this.active--;
    if (outcome === "rate_limited") {
      const now = Date.now();
      // One decrease per congestion event: the other requests of a burst answer 429 while the pause is on.
      if (now >= this.pausedUntil) this.limit = Math.max(1, Math.floor(this.limit / 2));
      this.successesSinceDecrease = 0;
      this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? 1000));
    } else if (outcome === "success" && this.limit < this.maxConcurrency) {
      if (++this.successesSinceDecrease >= this.limit) {
        this.limit++;
        this.successesSinceDecrease = 0;
      }
    }
    this.schedule();
  }

  private canStart(): boolean {
    return this.active < this.limit && Date.now() >= this.pausedUntil && this.waiters.length === 0;
  }

  private schedule(): void {
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) {
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.schedule();
        }, wait);
      }
      return;
    }
    while (this.waiters.length > 0 && this.active < this.limit) this.waiters.shift()?.();
  }
}
