import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { createdFilter } from '../core/list.js';
import type { Params } from '../core/params.js';
import { EventRecorder } from '../events/event-recorder.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';
import { idOf } from '../core/ids.js';

/**
 * Radar's early fraud warnings. The test card 4000000000005423 raises one
 * shortly after it is charged; a warning stops being actionable once its
 * charge is fully refunded or disputed, as Stripe's do.
 */
@Injectable()
export class EarlyFraudWarningsService {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly events: EventRecorder,
  ) {}

  /** Raises a warning about a charge. Inside a store transaction; nothing if the charge is gone. */
  raiseFor(chargeId: string): void {
    const charge = this.store.find('charge', chargeId);
    if (charge === undefined) return;
    const customer = idOf(charge.customer);
    const paymentIntent = idOf(charge.payment_intent);
    const warning = this.store.insert('radar.early_fraud_warning', {
      id: newId('issfr'),
      object: 'radar.early_fraud_warning',
      actionable: !charge.refunded && !charge.disputed,
      charge: charge.id,
      created: this.clock.nowForCustomer(customer),
      fraud_type: 'made_with_stolen_card',
      livemode: false,
      ...(paymentIntent === null ? {} : { payment_intent: paymentIntent }),
    });
    this.events.record('radar.early_fraud_warning.created', warning, {
      testClock: this.clock.testClockOfCustomer(customer),
    });
  }

  /** After a charge was refunded or disputed: its warnings are no longer actionable. */
  settleFor(charge: Stripe.Charge): void {
    if (!charge.refunded && !charge.disputed) return;
    for (const warning of this.store.list(
      'radar.early_fraud_warning',
      (candidate) => idOf(candidate.charge) === charge.id && candidate.actionable,
    )) {
      const current = this.store.get(
        'radar.early_fraud_warning',
        warning.id,
        'early fraud warning',
      );
      const before = snapshot(current);
      current.actionable = false;
      this.events.recordUpdate('radar.early_fraud_warning.updated', before, current, {
        testClock: this.clock.testClockOfCustomer(idOf(charge.customer)),
      });
    }
  }

  /** Warnings matching a list request's `charge`, `payment_intent` and `created`, newest first. */
  list(params: Params): Stripe.Radar.EarlyFraudWarning[] {
    const charge = params.string('charge');
    const paymentIntent = params.string('payment_intent');
    const created = createdFilter(params);
    return this.store.list(
      'radar.early_fraud_warning',
      (warning) =>
        (charge === undefined || idOf(warning.charge) === charge) &&
        (paymentIntent === undefined || idOf(warning.payment_intent) === paymentIntent) &&
        created(warning.created),
    );
  }
}
