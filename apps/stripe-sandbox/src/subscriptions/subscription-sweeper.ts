import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InvoiceRetriesService } from '../billing/invoice-retries.service.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';
import type { DueWork } from './billing-schedule.js';
import { customerIdOf, SubscriptionLifecycle } from './subscription-lifecycle.service.js';
import { TestClocksService } from './test-clocks.service.js';

const SWEEP_INTERVAL_MS = 2_000;
/** Work done per sweep at most, so a long backlog (after downtime) does not hold the event loop. */
const MAX_STEPS_PER_SWEEP = 500;

/**
 * Runs due subscription work and one-off invoice payment retries on the wall
 * clock: every two seconds, whatever is due by now for customers without a
 * test clock, oldest first, each step in its own store transaction.
 * Customers on a test clock only get what is due by the clock's frozen time
 * (such as a `trial_will_end` of a short trial, or activation after their
 * invoice was paid through the API), and never while the clock advances.
 * Also deletes test clocks whose `deletes_after` passed.
 */
@Injectable()
export class SubscriptionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SubscriptionSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Work that failed once (a bug), skipped from then on instead of failing every sweep. */
  private readonly failed = new Set<string>();

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly persistence: StorePersistence,
    private readonly lifecycle: SubscriptionLifecycle,
    private readonly testClocks: TestClocksService,
    private readonly invoiceRetries: InvoiceRetriesService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => {
        this.running = null;
      });
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Does everything due by now; resolves when done (or after a bounded number of steps). */
  async sweep(): Promise<void> {
    for (let steps = 0; steps < MAX_STEPS_PER_SWEEP; steps += 1) {
      if (this.timer === null && steps > 0) return;
      const worked = this.step();
      await this.persistence.flush();
      if (!worked) break;
    }
    try {
      this.store.transaction(() => this.testClocks.removeExpired());
      await this.persistence.flush();
    } catch (error) {
      this.logger.error(`deleting expired test clocks failed: ${String(error)}`);
    }
  }

  private step(): boolean {
    const due = this.lifecycle.earliestDue(
      this.store.list('subscription'),
      (subscription) => this.dueBy(customerIdOf(subscription)),
      (subscription, work) => this.failed.has(keyOf(subscription.id, work)),
    );
    const retry = this.invoiceRetries.earliestDue(
      (customer) => this.dueBy(customer),
      (candidate) => this.failed.has(`${candidate.invoice}:retry:${candidate.at}`),
    );
    if (retry !== null && (due === null || retry.at < due.work.at)) {
      try {
        this.store.transaction(() => this.invoiceRetries.retry(retry.invoice));
      } catch (error) {
        this.failed.add(`${retry.invoice}:retry:${retry.at}`);
        this.logger.error(
          `payment retry of ${retry.invoice} failed and will not be retried: ${String(error)}`,
        );
      }
      return true;
    }
    if (due === null) return false;
    try {
      this.store.transaction(() => this.lifecycle.apply(due.subscription, due.work));
    } catch (error) {
      this.failed.add(keyOf(due.subscription, due.work));
      this.logger.error(
        `${due.work.kind} of ${due.subscription} failed and will not be retried: ${String(error)}`,
      );
    }
    return true;
  }

  /** The time up to which a customer's work is due: their now; null while their clock advances. */
  private dueBy(customer: string): number | null {
    const testClockId = this.clock.testClockOfCustomer(customer);
    if (testClockId === null) return this.clock.realNow();
    const testClock = this.store.find('test_helpers.test_clock', testClockId);
    return testClock?.status === 'ready' ? testClock.frozen_time : null;
  }
}

function keyOf(subscription: string, work: DueWork): string {
  return `${subscription}:${work.kind}:${work.at}`;
}
