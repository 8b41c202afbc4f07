import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import { EventPublisher } from '@aegis/messaging';
import {
  StripeProvider,
  reportStripeEventOutcome,
  stateToApply,
  type StateToApply,
} from '@aegis/stripe';
import Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import { laterStamp, secondsOf } from '../stripe-mirror/convergence-stamps.js';
import { BILLING_SERVICE, type StripeEnvelope } from '../stripe-mirror/stripe-envelope.js';
import { fromStripeTime } from '../transactions/transaction-state.js';
import { StripeCustomer } from './entities/stripe-customer.entity.js';

export type CustomerEventEnvelope = StripeEnvelope<
  'customer.created' | 'customer.updated' | 'customer.deleted'
>;

type CustomerState = StateToApply<Stripe.Customer | Stripe.DeletedCustomer>;
type MirroredCustomer = Pick<StripeCustomer, 'email' | 'name' | 'metadata' | 'deletedAt'>;

function isMissing(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeError && error.code === 'resource_missing';
}

/** Stripe customers as billing mirrors them, converging whatever order their events come in. */
@Injectable()
export class CustomersService {
  constructor(
    private readonly stripe: StripeProvider,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * Billing's id of a Stripe customer. A payment may name a customer before
   * that customer's own events arrived: its row is made then, empty, and
   * filled in by those events.
   */
  async customerIdOf(manager: EntityManager, stripeCustomerId: string): Promise<string> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(StripeCustomer)
      .values({ stripeCustomerId, metadata: {} })
      .orIgnore()
      .execute();
    const row = await manager.findOneByOrFail(StripeCustomer, { stripeCustomerId });
    return row.customerId;
  }

  async applyCustomerEvent(manager: EntityManager, envelope: CustomerEventEnvelope): Promise<void> {
    const event = envelope.data;
    const customerId = event.data.object.id;
    await this.customerIdOf(manager, customerId);
    const row = await manager.findOneOrFail(StripeCustomer, {
      where: { stripeCustomerId: customerId },
      lock: { mode: 'for_no_key_update' },
    });
    const state = await this.stateOf(event, row.lastEventCreated);
    if (state.outcome !== 'stale') {
      // The deleting event's time is the deletion's; a re-fetch only tells it happened by then.
      const deletedAt =
        event.type === 'customer.deleted'
          ? fromStripeTime(event.created)
          : (row.deletedAt ??
            (state.object.deleted === true ? fromStripeTime(event.created) : null));
      const next = mirroredAfter(row, state.object, deletedAt);
      const lastEventCreated = laterStamp(row.lastEventCreated, event.created);
      const changed = !isDeepStrictEqual(mirroredOf(row), next);
      if (changed || !isDeepStrictEqual(lastEventCreated, row.lastEventCreated)) {
        await manager.update(
          StripeCustomer,
          { customerId: row.customerId },
          { ...next, lastEventCreated, ...(changed ? { updatedAt: new Date() } : {}) },
        );
      }
    }
    await reportStripeEventOutcome(
      this.publisher,
      manager,
      BILLING_SERVICE,
      envelope,
      state.outcome,
    );
  }

  /**
   * The convergence rule, with two twists. `customer.deleted` is terminal:
   * nothing about the customer can follow it, so its object (the customer's
   * last details) applies whatever was applied before; a re-fetch could only
   * say "deleted" and lose those details. And a customer Stripe no longer
   * has re-fetches as deleted.
   */
  private async stateOf(
    event: CustomerEventEnvelope['data'],
    lastEventCreated: Date | null,
  ): Promise<CustomerState> {
    if (event.type === 'customer.deleted') return { outcome: 'applied', object: event.data.object };
    try {
      return await stateToApply(this.stripe, 'customer', event, secondsOf(lastEventCreated));
    } catch (error) {
      if (!isMissing(error)) throw error;
      const gone: Stripe.DeletedCustomer = {
        id: event.data.object.id,
        object: 'customer',
        deleted: true,
      };
      return { outcome: 'refetched', object: gone };
    }
  }
}

function mirroredOf(row: MirroredCustomer): MirroredCustomer {
  return { email: row.email, name: row.name, metadata: row.metadata, deletedAt: row.deletedAt };
}

/**
 * The mirrored fields after a customer's state: a deleted customer (as a
 * re-fetch sees it) keeps its last known details.
 */
function mirroredAfter(
  row: MirroredCustomer,
  customer: Stripe.Customer | Stripe.DeletedCustomer,
  deletedAt: Date | null,
): MirroredCustomer {
  if (customer.deleted === true) return { ...mirroredOf(row), deletedAt };
  return {
    email: customer.email,
    name: customer.name ?? null,
    metadata: { ...customer.metadata },
    deletedAt,
  };
}
