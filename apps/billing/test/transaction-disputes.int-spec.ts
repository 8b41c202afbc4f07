import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_TRANSACTION_GET_V1,
  BILLING_TRANSACTION_OF_STRIPE_V1,
} from '@aegis/contracts';
import { defined } from '@aegis/testing';
import { BillingHarness } from './billing-harness.js';

describe('billing and disputes: the transaction of a Stripe charge or payment intent', () => {
  let harness: BillingHarness;
  const delivered = new Set<string>();

  const deliverNewEvents = async (): Promise<void> => {
    const fresh = (await harness.allEvents()).filter((event) => !delivered.has(event.id));
    for (const event of fresh) delivered.add(event.id);
    await harness.deliverInOrder(fresh);
  };

  beforeAll(async () => {
    harness = await BillingHarness.start();
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('answers the ledger transaction of a charge id, else of a payment intent id, and null for an unknown one', async () => {
    const id = `cust_dp_${Date.now().toString(36)}`;
    const { customer } = await harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, {
      customerId: id,
      email: `${id}@example.com`,
    });
    const intent = await harness.stripe.paymentIntents.create({
      amount: 4200,
      currency: 'usd',
      customer: customer.stripeCustomerId,
      payment_method: 'pm_card_visa',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      confirm: true,
    });
    await deliverNewEvents();
    const [row] = await harness.dataSource.query<{ transaction_id: string }[]>(
      `SELECT "transaction_id" FROM "billing"."billing_transactions" WHERE "stripe_payment_intent_id" = $1`,
      [intent.id],
    );
    const transactionId = defined(row, 'the mirrored payment').transaction_id;
    const { transaction: expected } = await harness.rpc.call(BILLING_TRANSACTION_GET_V1, {
      transactionId,
    });
    const chargeId = defined(expected.stripeChargeId, 'the charge id');

    const byCharge = await harness.rpc.call(BILLING_TRANSACTION_OF_STRIPE_V1, {
      stripeChargeId: chargeId,
    });
    expect(byCharge.transaction).toEqual(expected);
    const byIntent = await harness.rpc.call(BILLING_TRANSACTION_OF_STRIPE_V1, {
      stripeChargeId: 'ch_unknown0000',
      stripePaymentIntentId: intent.id,
    });
    expect(byIntent.transaction?.id).toBe(transactionId);
    const none = await harness.rpc.call(BILLING_TRANSACTION_OF_STRIPE_V1, {
      stripeChargeId: 'ch_unknown0000',
      stripePaymentIntentId: 'pi_unknown0000',
    });
    expect(none.transaction).toBeNull();
  });
});
