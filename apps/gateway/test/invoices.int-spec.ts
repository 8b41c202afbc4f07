import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  PUBLIC_API_PATHS,
  type AuditLogEntryV1,
  type CustomerResourceV1,
  type InvoiceResourceV1,
  type InvoiceRunResourceV1,
  type ListV1,
  type ProblemV1,
} from '@aegis/contracts';
import { GatewayHarness, type ApiAnswer } from './gateway-harness.js';

let harness: GatewayHarness;
const run = Date.now().toString(36);
const apiCall = `api_call_inv_${run}`;
const euroCall = `eur_call_inv_${run}`;
/** A minute ago: the period the tests invoice (the current month, which has started). */
const at = new Date(Date.now() - 60_000).toISOString();
const period = at.slice(0, 7);
/** A month that has not started: billing refuses to invoice it. */
const future = `${Number(period.slice(0, 4)) + 1}-01`;

/** Pays automatically: pm_card_visa is its default payment method at the sandbox. */
let payer: CustomerResourceV1;
/** No payment method: its invoices are sent (send_invoice). */
let sender: CustomerResourceV1;
let stranger: CustomerResourceV1;
/** Usage in usd and eur: one invoice cannot hold it (mixed_currencies). */
let mixed: CustomerResourceV1;
let paid: InvoiceResourceV1;

const fieldsOf = (answer: { body: unknown }): string[] =>
  ((answer.body as ProblemV1).errors ?? []).map((error) => error.field).sort();

const createInvoice = (
  body: Record<string, unknown>,
  options: { key?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<InvoiceResourceV1>> =>
  harness.request<InvoiceResourceV1>('POST', PUBLIC_API_PATHS.invoices, { body, ...options });

const listInvoices = (
  query: Record<string, string>,
  key?: string,
): Promise<ApiAnswer<ListV1<InvoiceResourceV1>>> =>
  harness.request<ListV1<InvoiceResourceV1>>(
    'GET',
    `${PUBLIC_API_PATHS.invoices}?${new URLSearchParams(query).toString()}`,
    key === undefined ? {} : { key },
  );

async function createProduct(id: string, currency: string): Promise<void> {
  const answer = await harness.request('POST', PUBLIC_API_PATHS.products, {
    body: {
      id,
      name: `Call (${currency})`,
      pricing_type: 'usage',
      base_price_cents: 10,
      currency,
    },
  });
  if (answer.status !== 201) throw new Error(`product not created: ${JSON.stringify(answer)}`);
}

/** `quantity` units of `productId` for the customer, a minute ago, in one event. */
async function recordUsage(customerId: string, quantity: number, productId = apiCall) {
  const answer = await harness.request('POST', PUBLIC_API_PATHS.usage, {
    body: {
      customer_id: customerId,
      product_id: productId,
      quantity,
      timestamp: at,
      idempotency_key: randomUUID(),
    },
  });
  if (answer.status !== 202) throw new Error(`usage not recorded: ${JSON.stringify(answer)}`);
}

/** A card attached at the sandbox and made the Stripe customer's default payment method. */
async function attachCard(customer: CustomerResourceV1): Promise<void> {
  const card = await harness.stripe.paymentMethods.attach('pm_card_visa', {
    customer: customer.stripe_customer_id,
  });
  await harness.stripe.customers.update(customer.stripe_customer_id, {
    invoice_settings: { default_payment_method: card.id },
  });
}

async function waitForRun(runId: string): Promise<InvoiceRunResourceV1> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await harness.request<InvoiceRunResourceV1>(
      'GET',
      PUBLIC_API_PATHS.invoiceRun(runId),
    );
    expect(answer.status).toBe(200);
    if (answer.body.status === 'completed') return answer.body;
    if (Date.now() > deadline)
      throw new Error(`run ${runId} still running: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  harness = await GatewayHarness.start({ replicas: 1 });
  await createProduct(apiCall, 'usd');
  await createProduct(euroCall, 'eur');
  [payer, sender, stranger] = await Promise.all([
    harness.createCustomer(),
    harness.createCustomer(),
    harness.createCustomer(),
  ]);
  await attachCard(payer);
  const discount = await harness.request('PUT', PUBLIC_API_PATHS.customerDiscount(payer.id), {
    body: { percent_off: 20 },
  });
  expect(discount.status).toBe(200);
  await Promise.all([
    recordUsage(payer.id, 600),
    recordUsage(payer.id, 400),
    recordUsage(sender.id, 50),
    recordUsage(stranger.id, 7),
  ]);
});

afterAll(async () => {
  await harness.stop();
});

describe('POST /api/v1/invoices', () => {
  it('invoices the period’s usage (201), priced, discounted and paid at Stripe; again: the same invoice (200)', async () => {
    const created = await createInvoice({ customer_id: payer.id, billing_period: period });
    expect(created.status).toBe(201);
    paid = created.body;
    expect(paid).toMatchObject({
      object: 'invoice',
      customer_id: payer.id,
      billing_period: period,
      status: 'paid',
      currency: 'usd',
      subtotal_cents: 10_000,
      discount_cents: 2_000,
      amount_due: 8_000,
      amount_paid: 8_000,
      collection_method: 'charge_automatically',
      pending_stripe: false,
      last_error: null,
    });
    expect(paid.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(paid.stripe_invoice_id).toMatch(/^in_/);
    expect(paid.hosted_invoice_url).toEqual(expect.any(String));
    expect(paid.finalized_at).toEqual(expect.any(String));
    expect(paid.paid_at).toEqual(expect.any(String));
    expect(paid.lines).toEqual([
      expect.objectContaining({
        kind: 'usage',
        product_id: apiCall,
        billing_period: period,
        aggregation: 'sum',
        value: '1000',
        previously_billed_value: '0',
        event_count: 2,
        first_event_at: at,
        last_event_at: at,
        subtotal_cents: 10_000,
        discount_cents: 2_000,
        amount_cents: 8_000,
      }),
    ]);
    const [line] = paid.lines;
    expect(line?.stripe_invoice_item_id).toMatch(/^ii_/);
    expect(line?.pricing_version_id).toEqual(expect.any(String));
    expect(Date.parse(line?.usage_through ?? '')).toBeGreaterThan(Date.parse(at));

    const atStripe = await harness.stripe.invoices.retrieve(paid.stripe_invoice_id ?? '');
    expect(atStripe).toMatchObject({ status: 'paid', amount_due: 8_000, amount_paid: 8_000 });

    const again = await createInvoice({ customer_id: payer.id, billing_period: period });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(paid.id);
    expect(again.body.lines).toHaveLength(1);
  });

  it('sends an invoice to a customer without a payment method, or leaves a draft when asked', async () => {
    const draft = await createInvoice({
      customer_id: sender.id,
      billing_period: period,
      auto_finalize: false,
    });
    expect(draft.status).toBe(201);
    expect(draft.body).toMatchObject({
      status: 'draft',
      amount_due: 500,
      collection_method: 'send_invoice',
      finalized_at: null,
    });
    const atStripe = await harness.stripe.invoices.retrieve(draft.body.stripe_invoice_id ?? '');
    expect(atStripe.status).toBe('draft');

    const finalized = await harness.request<InvoiceResourceV1>(
      'POST',
      PUBLIC_API_PATHS.finalizeInvoice(draft.body.id),
    );
    expect(finalized.status).toBe(200);
    expect(finalized.body).toMatchObject({ id: draft.body.id, status: 'open', amount_due: 500 });
    expect(finalized.body.finalized_at).toEqual(expect.any(String));
    expect((await harness.stripe.invoices.retrieve(atStripe.id)).status).toBe('open');
  });

  it('answers Idempotency-Key as every POST does: the first answer again, status included', async () => {
    const fresh = await harness.createCustomer();
    const headers = { 'idempotency-key': `invoice-${run}` };
    const first = await createInvoice(
      { customer_id: fresh.id, billing_period: period },
      { headers },
    );
    const replay = await createInvoice(
      { customer_id: fresh.id, billing_period: period },
      { headers },
    );
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(replay.body).toEqual(first.body);
    // Nothing to pay: paid at once, never sent to Stripe.
    expect(first.body).toMatchObject({ status: 'paid', lines: [], amount_due: 0 });
    expect(first.body.stripe_invoice_id).toBeNull();
    const other = await createInvoice(
      { customer_id: fresh.id, billing_period: period, auto_finalize: false },
      { headers },
    );
    expect(other.status).toBe(422);
  });

  it('refuses bad input naming each field (400), an unknown customer (404) and a period not begun', async () => {
    const bad = await createInvoice({
      customer_id: 'has space',
      billing_period: '2026-13',
      auto_finalize: 'yes',
      colour: 'red',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(fieldsOf(bad)).toEqual(['auto_finalize', 'billing_period', 'colour', 'customer_id']);
    expect((bad.body as unknown as ProblemV1).errors).toContainEqual({
      field: 'billing_period',
      message: 'billing_period must be YYYY-MM (a calendar month, UTC)',
    });
    const missing = await createInvoice({});
    expect(fieldsOf(missing)).toEqual(['billing_period', 'customer_id']);

    const unknown = await createInvoice({
      customer_id: `cust_nobody_${run}`,
      billing_period: period,
    });
    expect(unknown.status).toBe(404);
    expect((unknown.body as unknown as ProblemV1).code).toBe('customer_not_found');

    const notBegun = await createInvoice({ customer_id: sender.id, billing_period: future });
    expect(notBegun.status).toBe(400);
    expect(fieldsOf(notBegun)).toEqual(['billing_period']);

    mixed = await harness.createCustomer();
    await recordUsage(mixed.id, 1, apiCall);
    await recordUsage(mixed.id, 1, euroCall);
    const refused = await createInvoice({ customer_id: mixed.id, billing_period: period });
    expect(refused.status).toBe(409);
    expect((refused.body as unknown as ProblemV1).code).toBe('mixed_currencies');
  });
});

describe('GET /api/v1/invoices', () => {
  it('lists newest first, filtered by customer, period and status, and pages', async () => {
    const all = await listInvoices({ limit: '100' });
    expect(all.status).toBe(200);
    expect(all.body.object).toBe('list');
    const created = all.body.data.map((invoice) => invoice.created_at);
    expect(created).toEqual([...created].sort().reverse());
    expect(all.body.data.map((invoice) => invoice.id)).toContain(paid.id);

    const mine = await listInvoices({ customer_id: payer.id });
    expect(mine.body.data.map((invoice) => invoice.id)).toEqual([paid.id]);
    expect(mine.body.has_more).toBe(false);
    const byStatus = await listInvoices({ status: 'open', billing_period: period });
    expect(byStatus.body.data.map((invoice) => invoice.customer_id)).toEqual([sender.id]);
    const none = await listInvoices({ customer_id: payer.id, status: 'void' });
    expect(none.body.data).toEqual([]);

    const first = await listInvoices({ limit: '1' });
    expect(first.body.data).toHaveLength(1);
    expect(first.body.has_more).toBe(true);
    const next = await listInvoices({ limit: '1', starting_after: first.body.data[0]?.id ?? '' });
    expect(next.body.data[0]?.id).not.toBe(first.body.data[0]?.id);

    const refused = await listInvoices({ billing_period: '2026-3', status: 'late', limit: '0' });
    expect(refused.status).toBe(400);
    expect(fieldsOf(refused)).toEqual(['billing_period', 'limit', 'status']);
  });

  it('shows one invoice by id, each line saying which usage it prices', async () => {
    const shown = await harness.request<InvoiceResourceV1>(
      'GET',
      PUBLIC_API_PATHS.invoice(paid.id),
    );
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: paid.id, status: 'paid', lines: paid.lines });
    const unknown = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.invoice(`inv_nothing_${run}`),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('invoice_not_found');
    const malformed = await harness.request('GET', PUBLIC_API_PATHS.invoice('has space'));
    expect(malformed.status).toBe(400);
    expect(fieldsOf(malformed)).toEqual(['id']);
  });
});

describe('customer keys', () => {
  it('read their own customer’s invoices only: another’s is a 404 like a missing one', async () => {
    const key = await harness.createKey(payer.id, { scopes: ['invoices:read'] });
    const own = await harness.request<InvoiceResourceV1>('GET', PUBLIC_API_PATHS.invoice(paid.id), {
      key: key.key,
    });
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(paid.id);

    const senders = await listInvoices({ customer_id: sender.id });
    const theirs = senders.body.data[0]?.id ?? '';
    const another = await harness.request<ProblemV1>('GET', PUBLIC_API_PATHS.invoice(theirs), {
      key: key.key,
    });
    const nothing = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.invoice(`inv_nothing_${run}`),
      { key: key.key },
    );
    expect(another.status).toBe(404);
    expect(nothing.status).toBe(404);
    expect(another.body).toEqual({
      ...nothing.body,
      detail: nothing.body.detail?.replace(`inv_nothing_${run}`, theirs),
    });

    const listed = await listInvoices({ limit: '100' }, key.key);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((invoice) => invoice.customer_id)).toEqual([payer.id]);
    const named = await listInvoices({ customer_id: payer.id }, key.key);
    expect(named.body.data.map((invoice) => invoice.id)).toEqual([paid.id]);
    const others = await listInvoices({ customer_id: sender.id }, key.key);
    expect(others.status).toBe(404);
  });

  it('need invoices:read to read, and may not create, finalize, void or run (403)', async () => {
    const reader = await harness.createKey(payer.id, { scopes: ['invoices:read'] });
    const unscoped = await harness.createKey(payer.id, { scopes: ['usage:read'] });
    expect(
      (await harness.request('GET', PUBLIC_API_PATHS.invoice(paid.id), { key: unscoped.key }))
        .status,
    ).toBe(403);
    expect((await listInvoices({}, unscoped.key)).status).toBe(403);
    const refused = [
      await createInvoice({ customer_id: payer.id, billing_period: period }, { key: reader.key }),
      await harness.request('POST', PUBLIC_API_PATHS.finalizeInvoice(paid.id), {
        key: reader.key,
      }),
      await harness.request('POST', PUBLIC_API_PATHS.voidInvoice(paid.id), { key: reader.key }),
      await harness.request('POST', PUBLIC_API_PATHS.invoiceRuns, {
        key: reader.key,
        body: { billing_period: period },
      }),
      await harness.request('GET', PUBLIC_API_PATHS.invoiceRun('ir_anything'), {
        key: reader.key,
      }),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403]);
    expect(
      (await harness.request('GET', PUBLIC_API_PATHS.invoice(paid.id), { key: null })).status,
    ).toBe(401);
  });
});

describe('finalize and void', () => {
  it('refuse what the invoice’s status does not allow (409), and void an unpaid one', async () => {
    const paidVoid = await harness.request<ProblemV1>(
      'POST',
      PUBLIC_API_PATHS.voidInvoice(paid.id),
    );
    expect(paidVoid.status).toBe(409);
    expect(paidVoid.body.code).toBe('invoice_state');

    const customer = await harness.createCustomer();
    await recordUsage(customer.id, 30);
    const draft = await createInvoice({
      customer_id: customer.id,
      billing_period: period,
      auto_finalize: false,
    });
    expect(draft.body.status).toBe('draft');
    const voided = await harness.request<InvoiceResourceV1>(
      'POST',
      PUBLIC_API_PATHS.voidInvoice(draft.body.id),
    );
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ id: draft.body.id, status: 'void' });
    const finalizeVoid = await harness.request<ProblemV1>(
      'POST',
      PUBLIC_API_PATHS.finalizeInvoice(draft.body.id),
    );
    expect(finalizeVoid.status).toBe(409);
    expect(finalizeVoid.body.code).toBe('invoice_state');

    const unknown = await harness.request<ProblemV1>(
      'POST',
      PUBLIC_API_PATHS.finalizeInvoice(`inv_nothing_${run}`),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('invoice_not_found');
  });
});

describe('invoice runs', () => {
  it('invoice every customer with usage in the period (202), and report each failure', async () => {
    const late = await harness.createCustomer();
    await recordUsage(late.id, 12);
    const started = await harness.request<InvoiceRunResourceV1>(
      'POST',
      PUBLIC_API_PATHS.invoiceRuns,
      {
        body: { billing_period: period },
      },
    );
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ object: 'invoice_run', billing_period: period });
    const completed = await waitForRun(started.body.id);
    expect(completed.completed_at).toEqual(expect.any(String));
    const { total, done, failed } = completed.progress;
    expect(total).toBe(done + failed);
    // The customer with usage in two currencies cannot be invoiced: it is the only failure.
    expect(failed).toBe(1);
    expect(completed.failures).toEqual([
      { customer_id: mixed.id, reason: expect.stringContaining('an invoice has one currency') },
    ]);
    const invoiced = await listInvoices({ customer_id: late.id });
    expect(invoiced.body.data).toMatchObject([{ status: 'open', amount_due: 120 }]);
    // The customers invoiced before keep their one invoice.
    expect((await listInvoices({ customer_id: payer.id })).body.data).toHaveLength(1);

    // Every admin change to invoices is in the audit log, naming what it changed.
    const log = await harness.request<ListV1<AuditLogEntryV1>>(
      'GET',
      `${PUBLIC_API_PATHS.auditLog}?limit=100`,
    );
    const logged = log.body.data.map((entry) => `${entry.action} ${entry.target}`);
    expect(logged).toContain(`invoice.create ${paid.id}`);
    expect(logged).toContain(`invoice_run.start ${started.body.id}`);
    const actions = log.body.data.map((entry) => entry.action);
    expect(actions).toContain('invoice.void');
  });

  it('refuses a period that is not YYYY-MM (400) and answers an unknown run with 404', async () => {
    const bad = await harness.request('POST', PUBLIC_API_PATHS.invoiceRuns, {
      body: { billing_period: '03-2026' },
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['billing_period']);
    const notBegun = await harness.request('POST', PUBLIC_API_PATHS.invoiceRuns, {
      body: { billing_period: future },
    });
    expect(notBegun.status).toBe(400);
    expect(fieldsOf(notBegun)).toEqual(['billing_period']);
    const unknown = await harness.request<ProblemV1>(
      'GET',
      PUBLIC_API_PATHS.invoiceRun(`ir_nothing_${run}`),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('invoice_run_not_found');
  });
});

describe('OpenAPI', () => {
  it('documents every invoice route with its answers', async () => {
    const document = await harness.request<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>('GET', PUBLIC_API_PATHS.openapi, { key: null });
    const { paths } = document.body;
    expect(Object.keys(paths['/api/v1/invoices'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/v1/invoices/{id}'] ?? {})).toEqual(['get']);
    expect(Object.keys(paths['/api/v1/invoices/{id}/finalize'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/api/v1/invoices/{id}/void'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/api/v1/invoice_runs'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/api/v1/invoice_runs/{id}'] ?? {})).toEqual(['get']);
    expect(Object.keys(paths['/api/v1/invoices']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '201', '400', '403', '404', '409', '502']),
    );
    expect(Object.keys(paths['/api/v1/invoice_runs']?.post?.responses ?? {})).toContain('202');
  });
});
