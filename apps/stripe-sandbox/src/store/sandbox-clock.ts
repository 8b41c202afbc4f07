import { Injectable } from '@nestjs/common';
import { SandboxStore } from './sandbox-store.js';

/**
 * Time as Stripe sees it, in Unix seconds: the wall clock, or the frozen time
 * of a test clock for the objects attached to one (customers created with
 * `test_clock`, and their subscriptions, invoices and payments).
 */
@Injectable()
export class SandboxClock {
  constructor(private readonly store: SandboxStore) {}

  realNow(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** Now, on the given test clock or (null/undefined) on the wall clock. */
  now(testClock?: string | null): number {
    if (testClock === undefined || testClock === null) return this.realNow();
    return this.store.find('test_helpers.test_clock', testClock)?.frozen_time ?? this.realNow();
  }

  /** The test clock a customer is attached to, if any. */
  testClockOfCustomer(customer: string | null | undefined): string | null {
    if (customer === undefined || customer === null) return null;
    const testClock = this.store.find('customer', customer)?.test_clock ?? null;
    return typeof testClock === 'string' ? testClock : (testClock?.id ?? null);
  }

  /** Now, as seen by a customer (their test clock's time, if they have one). */
  nowForCustomer(customer: string | null | undefined): number {
    return this.now(this.testClockOfCustomer(customer));
  }
}
