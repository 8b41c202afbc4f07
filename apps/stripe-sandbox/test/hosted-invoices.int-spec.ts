import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defined, waitFor } from '@aegis/testing';
import type Stripe from 'stripe';
import { readPdf } from './pdf-reading.js';
import { startSandbox, useSandbox, type RunningSandbox } from './sandbox-harness.js';

interface Fetched {
  readonly status: number;
  readonly type: string | null;
  readonly body: Buffer;
}

/** A GET as a browser makes it: no API key. */
async function browse(url: string): Promise<Fetched> {
  const response = await fetch(url);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** A hosted page or PDF link: `<base>/invoice/test_<token>`, `…/pdf` for the PDF. */
const LINK = /^http:\/\/127\.0\.0\.1:\d+\/invoice\/test_[0-9A-Za-z]{48}$/;

describe('sandbox hosted invoice pages and PDFs', () => {
  const { sandbox, stripe } = useSandbox();

  async function draftFor(
    customer: Stripe.Customer,
    params: Partial<Stripe.InvoiceCreateParams> = {},
  ): Promise<Stripe.Invoice> {
    const draft = await stripe.invoices.create({ customer: customer.id, ...params });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 4250,
      currency: 'usd',
      description: 'Consulting <b>& more</b>',
    });
    return stripe.invoices.retrieve(draft.id);
  }

  it('gives a finalized invoice a page and a PDF of its own, and a draft neither', async () => {
    const customer = await stripe.customers.create({
      name: '<img src=x onerror=alert(1)> Ada',
      email: 'ada@example.com',
    });
    const draft = await draftFor(customer, {
      collection_method: 'send_invoice',
      days_until_due: 14,
      footer: 'Thank you',
    });
    expect(draft.hosted_invoice_url).toBe(null);
    expect(draft.invoice_pdf).toBe(null);

    const open = await stripe.invoices.finalizeInvoice(draft.id);
    const pageUrl = defined(open.hosted_invoice_url, 'the hosted invoice url');
    expect(pageUrl).toMatch(LINK);
    expect(pageUrl.startsWith(sandbox.url)).toBe(true);
    expect(open.invoice_pdf).toBe(`${pageUrl}/pdf`);
    const retrieved = await stripe.invoices.retrieve(draft.id);
    expect(retrieved.hosted_invoice_url).toBe(pageUrl);

    const page = await browse(pageUrl);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    const html = page.body.toString('utf8');
    expect(html).toContain(`Invoice ${defined(open.number, 'the number')}`);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; Ada');
    expect(html).not.toContain('<img');
    expect(html).toContain('Consulting &lt;b&gt;&amp; more&lt;/b&gt;');
    expect(html).toContain('$42.50');
    expect(html).toContain('>Open</span>');
    const dueDate = defined(open.due_date, 'the due date');
    const due = new Intl.DateTimeFormat('en-US', {
      dateStyle: 'long',
      timeZone: 'UTC',
    }).format(new Date(dueDate * 1000));
    expect(html).toContain(`$42.50 due ${due}`);
    expect(html).toContain(`href="${pageUrl}/pdf"`);
    expect(html).not.toMatch(/<form|<script/);

    const pdf = await browse(`${pageUrl}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    const file = pdf.body.toString('latin1');
    expect(file.startsWith('%PDF-1.4\n')).toBe(true);
    expect(file.endsWith('%%EOF\n')).toBe(true);
    const { texts } = readPdf(pdf.body);
    expect(texts).toContain(defined(open.number, 'the number'));
    expect(texts).toContain('Consulting <b>& more</b>');
    expect(texts).toContain(`$42.50 due ${due}`);
    expect(texts).toContain('Thank you');
  });

  it('shows an invoice as it is now: paid after payment, and void with its links kept', async () => {
    const customer = await stripe.customers.create({ email: 'paying@example.com' });
    const toPay = await stripe.invoices.finalizeInvoice((await draftFor(customer)).id);
    const paid = await stripe.invoices.pay(toPay.id, { payment_method: 'pm_card_visa' });
    expect(paid.hosted_invoice_url).toBe(toPay.hosted_invoice_url);
    const paidPage = await browse(defined(paid.hosted_invoice_url, 'the url'));
    expect(paidPage.body.toString('utf8')).toContain('>Paid</span>');
    expect(paidPage.body.toString('utf8')).toMatch(/\$42\.50 paid on /);

    const toVoid = await stripe.invoices.finalizeInvoice((await draftFor(customer)).id);
    const voided = await stripe.invoices.voidInvoice(toVoid.id);
    expect(voided.hosted_invoice_url).toBe(toVoid.hosted_invoice_url);
    expect(voided.invoice_pdf).toBe(toVoid.invoice_pdf);
    const voidPage = await browse(defined(voided.hosted_invoice_url, 'the url'));
    expect(voidPage.status).toBe(200);
    expect(voidPage.body.toString('utf8')).toContain('This invoice is void');
    const voidPdf = await browse(defined(voided.invoice_pdf, 'the pdf url'));
    expect(readPdf(voidPdf.body).texts).toContain('VOID');
  });

  it('answers a link that leads to no invoice with a 404 page', async () => {
    for (const path of ['/invoice/test_nothing', '/invoice/test_nothing/pdf']) {
      const missing = await browse(`${sandbox.url}${path}`);
      expect(missing.status).toBe(404);
      expect(missing.body.toString('utf8')).toContain('leads to no invoice');
    }
  });

  it('links an invoice finalized in a test clock advance (a renewal) to the sandbox too', async () => {
    const start = Date.UTC(2025, 0, 1) / 1000;
    const testClock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ test_clock: testClock.id });
    const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, {
      invoice_settings: { default_payment_method: card.id },
    });
    const product = await stripe.products.create({ name: 'Renewing' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 900,
      recurring: { interval: 'month' },
    });
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
    });
    await stripe.testHelpers.testClocks.advance(testClock.id, {
      frozen_time: Date.UTC(2025, 1, 1, 1) / 1000,
    });
    await waitFor(
      () => stripe.testHelpers.testClocks.retrieve(testClock.id),
      (clock) => clock.status === 'ready',
      { timeoutMs: 10_000, what: 'the test clock ready' },
    );
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((invoice) => invoice.billing_reason)).toStrictEqual([
      'subscription_cycle',
      'subscription_create',
    ]);
    const renewal = defined(invoices.data[0], 'the renewal invoice');
    const url = defined(renewal.hosted_invoice_url, 'the renewal page');
    expect(url).toMatch(LINK);
    expect(url.startsWith(sandbox.url)).toBe(true);
    expect((await browse(url)).body.toString('utf8')).toContain('>Paid</span>');
  });
});

describe('sandbox hosted invoice links with SANDBOX_PUBLIC_URL', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ SANDBOX_PUBLIC_URL: 'https://pay.example:8443/sandbox/' });
  });

  afterAll(async () => {
    delete process.env.SANDBOX_PUBLIC_URL;
    await sandbox.stop();
  });

  it('puts the page and the PDF under the public base url', async () => {
    const customer = await sandbox.stripe.customers.create();
    const draft = await sandbox.stripe.invoices.create({ customer: customer.id });
    await sandbox.stripe.invoiceItems.create({
      customer: customer.id,
      invoice: draft.id,
      amount: 100,
      currency: 'usd',
    });
    const open = await sandbox.stripe.invoices.finalizeInvoice(draft.id);
    const url = defined(open.hosted_invoice_url, 'the url');
    expect(url).toMatch(/^https:\/\/pay\.example:8443\/sandbox\/invoice\/test_[0-9A-Za-z]{48}$/);
    expect(open.invoice_pdf).toBe(`${url}/pdf`);
    const path = new URL(url).pathname.replace(/^\/sandbox/, '');
    const page = await browse(`${sandbox.url}${path}`);
    expect(page.status).toBe(200);
    expect(page.body.toString('utf8')).toContain('$1.00');
  });
});
