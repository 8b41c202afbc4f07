/**
 * Spaces calls out to at most `perSecond` a second (a token bucket holding
 * one second's worth): `take()` resolves when the caller may go.
 */
export class RateLimiter {
  private tokens: number;
  private refilledAt = Date.now();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(
        this.perSecond,
        this.tokens + ((now - this.refilledAt) / 1_000) * this.perSecond,
      );
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.ceil(((1 - this.tokens) / this.perSecond) * 1_000)),
      );
    }
  }
}
