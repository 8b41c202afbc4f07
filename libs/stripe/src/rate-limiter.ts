import { RateLimiterMemory, RateLimiterQueue } from 'rate-limiter-flexible';

/** The key RateLimiterQueue uses when given none: the one bucket of this limiter. */
const QUEUE_KEY = 'limiter';

/**
 * Spaces calls out to at most `perSecond` a second, in order of arrival
 * (rate-limiter-flexible's RateLimiterQueue over an in-memory limiter):
 * `take()` resolves when the caller may go. `holdFor` stops every caller for
 * a while, as when Stripe answers 429 and the whole process must slow down.
 */
export class RateLimiter {
  private readonly points: RateLimiterMemory;
  private readonly queue: RateLimiterQueue;
  private heldUntil = 0;

  constructor(perSecond: number) {
    this.points = new RateLimiterMemory({ points: perSecond, duration: 1 });
    this.queue = new RateLimiterQueue(this.points);
  }

  async take(): Promise<void> {
    await this.queue.removeTokens(1);
  }

  /** Holds every caller until `milliseconds` from now, unless already held longer. */
  async holdFor(milliseconds: number): Promise<void> {
    const until = Date.now() + milliseconds;
    if (milliseconds <= 0 || until <= this.heldUntil) return;
    this.heldUntil = until;
    await this.points.block(QUEUE_KEY, milliseconds / 1000);
  }
}
