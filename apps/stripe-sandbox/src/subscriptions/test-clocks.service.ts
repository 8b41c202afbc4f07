import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type Stripe from 'stripe';
import { InvoiceRetriesService } from '../billing/invoice-retries.service.js';
import type { Params } from '../core/params.js';
import { invalidRequest } from '../core/stripe-error.js';
import { EventRecorder } from '../events/event-recorder.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';
import { addIntervals, SECONDS_PER_DAY } from './billing-schedule.js';
import {
  customerIdOf,
  intervalOf,
  SubscriptionLifecycle,
} from './subscription-lifecycle.service.js';

/** Stripe deletes a test clock, and everything attached to it, seven days after its creation. */
const TEST_CLOCK_LIFETIME_SECONDS = 7 * SECONDS_PER_DAY;
/** A guard against work that never stops being due (a bug): the advance fails instead of spinning. */
const MAX_STEPS_PER_ADVANCE = 10_000;

/** A piece of due work of a clock's customers: when, and what doing it is. */
interface DueStep {
  readonly at: number;
  readonly run: () => void;
}

/**
 * Test clocks: frozen time for the customers attached to them (and their
 * subscriptions, invoices and payments). Advancing answers at once with
 * status `advancing`, then walks every piece of due subscription work and
 * every due payment retry of a one-off invoice in time order up to the new
 * time, each step in its own store transaction and persisted, and ends in
 * status `ready`.
 */
@Injectable()
export class TestClocksService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TestClocksService.name);
  private readonly advancing = new Map<string, Promise<void>>();

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
    private readonly persistence: StorePersistence,
    private readonly lifecycle: SubscriptionLifecycle,
    private readonly invoiceRetries: InvoiceRetriesService,
  ) {}

  /** Finishes the advances a restart interrupted (their state persisted, their work did not run). */
  onApplicationBootstrap(): void {
    for (const testClock of this.store.list(
      'test_helpers.test_clock',
      (candidate) => candidate.status === 'advancing',
    )) {
      const target = testClock.status_details.advancing?.target_frozen_time;
      if (target !== undefined) this.startAdvance(testClock.id, target);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.advancing.values());
  }

  create(params: Params): Stripe.TestHelpers.TestClock {
    const frozenTime = params.requiredInteger('frozen_time', { min: 0 });
    const name = params.string('name');
    params.done();
    return this.store.transaction(() => {
      const created = this.clock.realNow();
      const testClock = this.store.insert('test_helpers.test_clock', {
        id: newId('clock'),
        object: 'test_helpers.test_clock',
        created,
        deletes_after: created + TEST_CLOCK_LIFETIME_SECONDS,
        frozen_time: frozenTime,
        livemode: false,
        name: name ?? null,
        status: 'ready',
        status_details: {},
      });
      this.events.record('test_helpers.test_clock.created', testClock, {
        testClock: testClock.id,
      });
      return testClock;
    });
  }

  get(id: string): Stripe.TestHelpers.TestClock {
    return this.store.get('test_helpers.test_clock', id, 'test clock');
  }

  list(): Stripe.TestHelpers.TestClock[] {
    return this.store.list('test_helpers.test_clock');
  }

  /** Deletes the clock with its customers and their subscriptions, as Stripe does. */
  remove(id: string): Stripe.TestHelpers.DeletedTestClock {
    return this.store.transaction(() => {
      const testClock = this.get(id);
      this.removeAttached(id);
      this.store.remove('test_helpers.test_clock', id);
      this.events.record('test_helpers.test_clock.deleted', testClock, { testClock: null });
      return { id, object: 'test_helpers.test_clock', deleted: true };
    });
  }

  private removeAttached(testClock: string): void {
    const customers = this.store.list('customer', (customer) => customer.test_clock === testClock);
    for (const customer of customers) {
      for (const subscription of this.store.list(
        'subscription',
        (s) => customerIdOf(s) === customer.id,
      )) {
        this.lifecycle.forgetScheduleState(subscription.id);
        this.store.remove('subscription', subscription.id);
      }
      for (const attached of this.store.list(
        'payment_method',
        (pm) => pm.customer === customer.id,
      )) {
        const paymentMethod = this.store.find('payment_method', attached.id);
        if (paymentMethod !== undefined) paymentMethod.customer = null;
      }
      this.store.remove('customer', customer.id);
    }
  }

  /** Deletes the clocks whose `deletes_after` passed (called by the periodic sweep). */
  removeExpired(): void {
    const now = this.clock.realNow();
    for (const testClock of this.store.list(
      'test_helpers.test_clock',
      (candidate) => candidate.deletes_after < now && candidate.status !== 'advancing',
    )) {
      this.remove(testClock.id);
    }
  }

  advance(id: string, params: Params): Stripe.TestHelpers.TestClock {
    const target = params.requiredInteger('frozen_time');
    params.done();
    const testClock = this.store.transaction(() => {
      const advancing = this.get(id);
      if (advancing.status === 'advancing') {
        throw invalidRequest(
          `The test clock ${id} is already advancing; wait until its status is ready to advance it again.`,
        );
      }
      if (target <= advancing.frozen_time) {
        throw invalidRequest(
          'The frozen_time must be after the test clock’s current frozen time.',
          'frozen_time',
        );
      }
      const limit = this.advanceLimit(id, advancing.frozen_time);
      if (target > limit) {
        throw invalidRequest(
          `Cannot advance the test clock to ${target}: it may move at most two intervals of its shortest subscription ahead (or two years without one), here up to ${limit}.`,
          'frozen_time',
        );
      }
      advancing.status = 'advancing';
      advancing.status_details = { advancing: { target_frozen_time: target } };
      this.events.record('test_helpers.test_clock.advancing', advancing, { testClock: id });
      return snapshot(advancing);
    });
    this.startAdvance(id, target);
    return testClock;
  }

  /** Runs the advance as the sandbox's own work, once the request that asked for it answered. */
  private startAdvance(id: string, target: number): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.runAdvance(id, target))
      .finally(() => this.advancing.delete(id));
    this.advancing.set(id, run);
  }

  /**
   * The latest time a clock may advance to: two intervals of its shortest
   * live subscription, or two years without one (Stripe's limit).
   */
  private advanceLimit(testClock: string, frozenTime: number): number {
    const customers = new Set(
      this.store.list('customer', (customer) => customer.test_clock === testClock).map((c) => c.id),
    );
    let limit = addIntervals(frozenTime, 'year', 2);
    for (const subscription of this.store.list('subscription', (s) =>
      customers.has(customerIdOf(s)),
    )) {
      if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
        continue;
      }
      for (const item of subscription.items.data) {
        const { interval, count } = intervalOf(item.price);
        limit = Math.min(limit, addIntervals(frozenTime, interval, 2 * count));
      }
    }
    return limit;
  }

  private subscriptionsOf(testClock: string): Stripe.Subscription[] {
    const customers = new Set(
      this.store.list('customer', (customer) => customer.test_clock === testClock).map((c) => c.id),
    );
    return this.store.list('subscription', (s) => customers.has(customerIdOf(s)));
  }

  private async runAdvance(id: string, target: number): Promise<void> {
    try {
      for (let steps = 0; ; steps += 1) {
        if (steps >= MAX_STEPS_PER_ADVANCE) {
          throw new Error(`more than ${MAX_STEPS_PER_ADVANCE} steps of due work`);
        }
        const due = this.nextStep(id, target);
        if (due === null) break;
        const worked = this.store.transaction(() => this.step(id, due));
        await this.persistence.flush();
        if (!worked) break;
      }
      this.store.transaction(() => {
        const testClock = this.store.find('test_helpers.test_clock', id);
        if (testClock === undefined) return;
        testClock.frozen_time = target;
        testClock.status = 'ready';
        testClock.status_details = {};
        this.events.record('test_helpers.test_clock.ready', testClock, { testClock: id });
      });
    } catch (error) {
      this.logger.error(`advancing test clock ${id} failed: ${String(error)}`);
      this.store.transaction(() => {
        const testClock = this.store.find('test_helpers.test_clock', id);
        if (testClock === undefined) return;
        testClock.status = 'internal_failure';
        testClock.status_details = {};
        this.events.record('test_helpers.test_clock.internal_failure', testClock, {
          testClock: id,
        });
      });
    }
    await this.persistence.flush();
  }

  /** The earliest work due by `target` of the clock's customers: subscription work first at a tie. */
  private nextStep(id: string, target: number): DueStep | null {
    const subscriptionWork = this.lifecycle.earliestDue(this.subscriptionsOf(id), () => target);
    const retry = this.invoiceRetries.earliestDue((customer) =>
      this.clock.testClockOfCustomer(customer) === id ? target : null,
    );
    if (retry !== null && (subscriptionWork === null || retry.at < subscriptionWork.work.at)) {
      return { at: retry.at, run: () => this.invoiceRetries.retry(retry.invoice) };
    }
    if (subscriptionWork === null) return null;
    return {
      at: subscriptionWork.work.at,
      run: () => this.lifecycle.apply(subscriptionWork.subscription, subscriptionWork.work),
    };
  }

  /**
   * Does one piece of due work of the clock's customers at its own time:
   * the clock reads that time while the work runs (so what it creates and
   * the events it records are dated then), and its visible frozen time stays
   * where it was until the advance completes. False if the clock is gone.
   */
  private step(id: string, due: DueStep): boolean {
    const testClock = this.store.find('test_helpers.test_clock', id);
    if (testClock === undefined) return false;
    const frozenTime = testClock.frozen_time;
    testClock.frozen_time = Math.max(frozenTime, due.at);
    due.run();
    testClock.frozen_time = frozenTime;
    return true;
  }
}
