import { AsyncResource } from 'node:async_hooks';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SandboxStore } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';

/** How soon after a payment Stripe's test cards open their dispute or fraud warning. */
export const FOLLOW_UP_DELAY_MS = 100;

/**
 * Work Stripe does by itself shortly after a request (a test card's dispute
 * or early fraud warning opening, a test dispute being decided): each runs in
 * its own store transaction once the request's transaction is over, then is
 * persisted. It runs outside the request's context, so its events carry no
 * request id, as Stripe's own do. Pending work is kept in memory only.
 */
@Injectable()
export class PaymentFollowUps implements OnApplicationShutdown {
  private readonly logger = new Logger(PaymentFollowUps.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Created at start, outside any request: timers set in its scope do not inherit one. */
  private readonly outsideRequests = new AsyncResource('PaymentFollowUps');
  private closed = false;

  constructor(
    private readonly store: SandboxStore,
    private readonly persistence: StorePersistence,
  ) {}

  /** Runs `work` in its own transaction after the current one has ended. */
  later(description: string, work: () => void): void {
    if (this.closed) return;
    this.outsideRequests.runInAsyncScope(() => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.run(description, work);
      }, FOLLOW_UP_DELAY_MS);
      this.timers.add(timer);
    });
  }

  private async run(description: string, work: () => void): Promise<void> {
    try {
      this.store.transaction(work);
      await this.persistence.flush();
    } catch (error) {
      this.logger.error(
        `${description} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }

  onApplicationShutdown(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
