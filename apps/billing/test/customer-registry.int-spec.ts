import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AEGIS_CUSTOMER_ID_KEY,
  BILLING_CUSTOMER_GET_OR_CREATE_V1,
  BILLING_CUSTOMER_GET_V1,
  BILLING_CUSTOMER_LIST_V1,
  CUSTOMER_ID_PATTERN,
  PAGE_CURSOR_ERROR_CODES,
  type PageRequestV1,
} from '@aegis/contracts';
import { DEAD_LETTER_REASON_HEADER, RpcRemoteError } from '@aegis/messaging';
import { baseAmqpUrl, defined, rejectionOf, waitFor } from '@aegis/testing';
import { connect } from 'amqplib';
import type Stripe from 'stripe';
import { BillingHarness } from './billing-harness.js';

describe('billing is the one customer registry', () => {
  let harness: BillingHarness;
  let stripe: Stripe;

  const getOrCreate = (request: Record<string, unknown>) =>
    harness.rpc.call(BILLING_CUSTOMER_GET_OR_CREATE_V1, request);

  const getCustomer = (customerId: string) =>
    harness.rpc.call(BILLING_CUSTOMER_GET_V1, { customerId });

  const listCustomers = async (
    page: PageRequestV1,
  ): Promise<{ ids: string[]; hasMore: boolean }> => {
    const reply = await harness.rpc.call(BILLING_CUSTOMER_LIST_V1, page);
    return { ids: reply.customers.map((customer) => customer.customerId), hasMore: reply.hasMore };
  };

  /** Every registered id as a list shows them: newest registered first, ties by id. */
  const registryNewestFirst = async (): Promise<string[]> =>
    (
      await harness.dataSource.query<{ customer_id: string }[]>(
        `SELECT "customer_id" FROM "billing"."customers" ORDER BY "created_at" DESC, "customer_id" DESC`,
      )
    ).map((row) => row.customer_id);

  const stripeCustomersOf = async (customerId: string): Promise<Stripe.Customer[]> =>
    (await stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 })).filter(
      (customer) => customer.metadata[AEGIS_CUSTOMER_ID_KEY] === customerId,
    );

  const rowsOf = (
    customerId: string,
  ): Promise<{ customer_id: string; stripe_customer_id: string }[]> =>
    harness.dataSource.query(
      `SELECT "customer_id", "stripe_customer_id" FROM "billing"."customers" WHERE "customer_id" = $1`,
      [customerId],
    );

  beforeAll(async () => {
    harness = await BillingHarness.start();
    stripe = harness.stripe;
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('registers a customer under the operator’s id with one Stripe customer that names it', async () => {
    const first = await getOrCreate({
      customerId: 'cust_ada',
      email: 'ada@example.com',
      name: 'Ada',
    });
    expect(first.created).toBe(true);
    // A validated reply is an instance of its class: compared by value, not by prototype.
    expect(first.customer).toEqual({
      customerId: 'cust_ada',
      stripeCustomerId: expect.stringMatching(/^cus_/),
      email: 'ada@example.com',
      name: 'Ada',
      metadata: { [AEGIS_CUSTOMER_ID_KEY]: 'cust_ada' },
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    const again = await getOrCreate({ customerId: 'cust_ada', email: 'other@example.com' });
    expect(again.created).toBe(false);
    expect(again.customer).toStrictEqual(first.customer);
    expect((await stripeCustomersOf('cust_ada')).map((customer) => customer.id)).toStrictEqual([
      first.customer.stripeCustomerId,
    ]);
    await harness.waitUntilPublished();
    expect(harness.customerEvents.filter((event) => event.customerId === 'cust_ada')).toStrictEqual(
      [
        expect.objectContaining({
          customerId: 'cust_ada',
          stripeCustomerId: first.customer.stripeCustomerId,
          email: 'ada@example.com',
        }),
      ],
    );
  });

  it('makes one Stripe customer and one row however many calls race for one id', async () => {
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => getOrCreate({ customerId: 'cust_race', name: 'Racer' })),
    );
    const stripeIds = new Set(replies.map((reply) => reply.customer.stripeCustomerId));
    expect(stripeIds.size).toBe(1);
    expect(replies.filter((reply) => reply.created)).toHaveLength(1);
    expect(await stripeCustomersOf('cust_race')).toHaveLength(1);
    expect(await rowsOf('cust_race')).toHaveLength(1);
    await harness.waitUntilPublished();
    expect(harness.customerEvents.filter((event) => event.customerId === 'cust_race')).toHaveLength(
      1,
    );
  });

  it('generates a cust_ id when none is given', async () => {
    const reply = await getOrCreate({ email: 'anonymous@example.com' });
    expect(reply.created).toBe(true);
    expect(reply.customer.customerId).toMatch(/^cust_[A-Za-z0-9_-]{16}$/);
    expect(reply.customer.customerId).toMatch(CUSTOMER_ID_PATTERN);
    expect(await rowsOf(reply.customer.customerId)).toHaveLength(1);
  });

  it('refuses a malformed id, or a Stripe id, naming the field, and writes nothing', async () => {
    const before = (await stripe.customers.list({ limit: 100 })).data.length;
    for (const customerId of ['cus_123', 'has space', '', 'x'.repeat(65)]) {
      const refused = await rejectionOf(getOrCreate({ customerId }), RpcRemoteError);
      expect(refused.status).toBe(400);
      expect(refused.message).toContain('customerId');
    }
    const badEmail = await rejectionOf(
      getOrCreate({ customerId: 'cust_bad_email', email: 'not-an-email' }),
      RpcRemoteError,
    );
    expect(badEmail.status).toBe(400);
    expect(badEmail.message).toContain('email');
    expect(await rowsOf('cust_bad_email')).toHaveLength(0);
    expect((await stripe.customers.list({ limit: 100 })).data.length).toBe(before);
  });

  it('registers a Stripe customer first heard of from Stripe under its own id, or the one it names', async () => {
    const outsider = await stripe.customers.create({ email: 'outside@example.com' });
    const named = await stripe.customers.create({
      email: 'named@example.com',
      metadata: { [AEGIS_CUSTOMER_ID_KEY]: 'cust_named' },
    });
    const events = (await harness.allEvents()).filter(
      (event) =>
        event.type === 'customer.created' && [outsider.id, named.id].includes(event.data.object.id),
    );
    await harness.deliver(events);
    expect(await rowsOf(outsider.id)).toStrictEqual([
      { customer_id: outsider.id, stripe_customer_id: outsider.id },
    ]);
    expect(await rowsOf('cust_named')).toStrictEqual([
      { customer_id: 'cust_named', stripe_customer_id: named.id },
    ]);
  });

  it('dead-letters a second Stripe customer that claims a registered id, and keeps the first', async () => {
    const first = await stripe.customers.create({
      metadata: { [AEGIS_CUSTOMER_ID_KEY]: 'cust_claimed' },
    });
    const second = await stripe.customers.create({
      metadata: { [AEGIS_CUSTOMER_ID_KEY]: 'cust_claimed' },
    });
    const createdOf = async (customer: Stripe.Customer): Promise<Stripe.Event[]> =>
      (await harness.allEvents()).filter(
        (event) => event.type === 'customer.created' && event.data.object.id === customer.id,
      );
    await harness.deliver(await createdOf(first));
    const probe = await connect(baseAmqpUrl());
    try {
      const channel = await probe.createChannel();
      await harness.publish(await createdOf(second));
      const deadLetter = await waitFor(
        () => channel.get(harness.names.deadLetterQueue, { noAck: true }),
        (message) => message !== false,
        { what: 'the dead letter of the second claim' },
      );
      expect(
        String(
          deadLetter === false ? '' : deadLetter.properties.headers?.[DEAD_LETTER_REASON_HEADER],
        ),
      ).toContain(`customer id cust_claimed names another Stripe customer than ${second.id}`);
    } finally {
      await probe.close();
    }
    expect(await rowsOf('cust_claimed')).toStrictEqual([
      { customer_id: 'cust_claimed', stripe_customer_id: first.id },
    ]);
  });

  it('puts a payment of a registered customer under that customer’s id', async () => {
    const { customer } = await getOrCreate({
      customerId: 'cust_payer',
      email: 'payer@example.com',
    });
    const intent = await stripe.paymentIntents.create({
      amount: 4_200,
      currency: 'usd',
      customer: customer.stripeCustomerId,
      payment_method: 'pm_card_visa',
      confirm: true,
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    const events = (await harness.allEvents()).filter(
      (event) =>
        event.type.startsWith('payment_intent.') &&
        (event.data.object as Stripe.PaymentIntent).id === intent.id,
    );
    await harness.deliver(events);
    const [row] = await waitFor(
      () =>
        harness.dataSource.query<{ customer_id: string }[]>(
          `SELECT "customer_id" FROM "billing"."billing_transactions" WHERE "stripe_payment_intent_id" = $1`,
          [intent.id],
        ),
      (rows) => rows.length === 1,
      { what: 'the transaction' },
    );
    expect(defined(row, 'the transaction').customer_id).toBe('cust_payer');
  });

  it('gets a registered customer by id, with when it was registered', async () => {
    const { customer: registered } = await getOrCreate({
      customerId: 'cust_got',
      email: 'got@example.com',
      metadata: { plan: 'lead' },
    });
    const { customer } = await getCustomer('cust_got');
    expect(customer).toStrictEqual(registered);
    expect(customer).toEqual({
      customerId: 'cust_got',
      stripeCustomerId: registered.stripeCustomerId,
      email: 'got@example.com',
      name: null,
      metadata: { plan: 'lead', [AEGIS_CUSTOMER_ID_KEY]: 'cust_got' },
      createdAt: expect.any(String),
    });
    const [row] = await harness.dataSource.query<{ created_at: Date }[]>(
      `SELECT "created_at" FROM "billing"."customers" WHERE "customer_id" = $1`,
      ['cust_got'],
    );
    expect(customer.createdAt).toBe(defined(row, 'the registry row').created_at.toISOString());
  });

  it('answers customer_not_found (404) for an id nobody registered, and 400 for a malformed one', async () => {
    const missing = await rejectionOf(getCustomer('cust_nobody'), RpcRemoteError);
    expect(missing.status).toBe(404);
    expect(missing.code).toBe('customer_not_found');
    expect(missing.message).toContain('cust_nobody');
    const malformed = await rejectionOf(getCustomer('has space'), RpcRemoteError);
    expect(malformed.status).toBe(400);
    expect(malformed.message).toContain('customerId');
  });

  it('lists the registry newest first, page by page both ways, ties by id, has_more at the ends', async () => {
    for (const n of [1, 2, 3, 4, 5]) await getOrCreate({ customerId: `cust_list_${n}` });
    // Registered in the same instant: the higher id comes first.
    await harness.dataSource.query(
      `UPDATE "billing"."customers" SET "created_at" =
         (SELECT "created_at" FROM "billing"."customers" WHERE "customer_id" = 'cust_list_2')
       WHERE "customer_id" IN ('cust_list_3', 'cust_list_4')`,
    );
    const expected = await registryNewestFirst();
    expect(expected.length).toBeGreaterThan(10);
    expect(expected.filter((id) => id.startsWith('cust_list_'))).toStrictEqual([
      'cust_list_5',
      'cust_list_4',
      'cust_list_3',
      'cust_list_2',
      'cust_list_1',
    ]);
    expect(expected[0]).toBe('cust_list_5');

    const older: string[] = [];
    let page = await listCustomers({ limit: 3 });
    older.push(...page.ids);
    while (page.hasMore) {
      expect(page.ids).toHaveLength(3);
      page = await listCustomers({ limit: 3, startingAfter: defined(older.at(-1), 'a cursor') });
      older.push(...page.ids);
    }
    expect(older).toStrictEqual(expected);

    const newer: string[] = [];
    let cursor = defined(expected.at(-1), 'the oldest customer');
    for (;;) {
      const newerPage = await listCustomers({ limit: 4, endingBefore: cursor });
      newer.unshift(...newerPage.ids);
      if (!newerPage.hasMore) break;
      cursor = defined(newerPage.ids[0], 'a cursor');
    }
    expect([...newer, expected.at(-1)]).toStrictEqual(expected);

    expect(await listCustomers({ limit: 100 })).toStrictEqual({ ids: expected, hasMore: false });
    expect(await listCustomers({ limit: expected.length - 1 })).toStrictEqual({
      ids: expected.slice(0, -1),
      hasMore: true,
    });
    expect(
      await listCustomers({ limit: 10, startingAfter: defined(expected.at(-1), 'the oldest') }),
    ).toStrictEqual({ ids: [], hasMore: false });
    expect(
      await listCustomers({ limit: 10, endingBefore: defined(expected[0], 'the newest') }),
    ).toStrictEqual({ ids: [], hasMore: false });
    // A caller that leaves the limit out gets the default page of 10.
    expect(await listCustomers({} as PageRequestV1)).toStrictEqual({
      ids: expected.slice(0, 10),
      hasMore: true,
    });
  });

  it('refuses a cursor that is no registered customer naming its field, both cursors, and a bad limit', async () => {
    const unknownAfter = await rejectionOf(
      listCustomers({ limit: 10, startingAfter: 'cust_nobody' }),
      RpcRemoteError,
    );
    expect(unknownAfter.status).toBe(400);
    expect(unknownAfter.code).toBe(PAGE_CURSOR_ERROR_CODES.starting_after);
    expect(unknownAfter.message).toContain('starting_after');
    const unknownBefore = await rejectionOf(
      listCustomers({ limit: 10, endingBefore: 'cust_nobody' }),
      RpcRemoteError,
    );
    expect(unknownBefore.status).toBe(400);
    expect(unknownBefore.code).toBe(PAGE_CURSOR_ERROR_CODES.ending_before);
    const both = await rejectionOf(
      listCustomers({ limit: 10, startingAfter: 'cust_ada', endingBefore: 'cust_got' }),
      RpcRemoteError,
    );
    expect(both.status).toBe(400);
    expect(both.message).toContain('endingBefore');
    for (const limit of [0, 101]) {
      const refused = await rejectionOf(listCustomers({ limit }), RpcRemoteError);
      expect(refused.status).toBe(400);
      expect(refused.message).toContain('limit');
    }
  });
});
