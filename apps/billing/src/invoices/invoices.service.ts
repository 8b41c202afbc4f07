import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  METERING_USAGE_CLAIM_V1,
  billingPeriodBounds,
  type CreateInvoiceReplyV1,
  type CreateInvoiceRequestV1,
  type InvoiceRefV1,
  type InvoiceReplyV1,
  type ListInvoicesReplyV1,
  type ListInvoicesRequestV1,
} from '@aegis/contracts';
import { AmqpRpcClient } from '@aegis/messaging';
import { paginateNewestFirst } from '@aegis/persistence';
import { StripeProvider, StripeRefusedError } from '@aegis/stripe';
import type Stripe from 'stripe';
import { DataSource, In, IsNull, type EntityManager } from 'typeorm';
import { BillingException, BillingExceptionCode, errorText } from '../billing.exception.js';
import { requireRegisteredCustomer } from '../catalog/catalog-lookups.js';
import { BillingEnv } from '../config/billing.env.js';
import { Customer } from '../customers/entities/customer.entity.js';
import { BilledUsage } from './entities/billed-usage.entity.js';
import { InvoiceLine } from './entities/invoice-line.entity.js';
import { Invoice, type InvoiceStage } from './entities/invoice.entity.js';
import { InvoicePricingService } from './invoice-pricing.service.js';
import { answerMovesForward, invoiceV1Of, statusOfStripeInvoice } from './invoice-replies.js';

function newInvoiceId(): string {
  return `inv_${randomBytes(12).toString('base64url').replace(/-/g, '_')}`;
}

/**
 * Invoices from metered usage (docs/invoicing.md). An invoice is reserved,
 * then priced from a usage claim in one transaction with its lines, then
 * taken through Stripe one committed stage at a time: a Stripe draft, one
 * invoice item per line, finalization, then a payment attempt (a default
 * payment method) or sending (none). Every Stripe call is keyed by our ids, so
 * whoever resumes an interrupted invoice (the next ask, `finalize`, or the
 * resumer every few seconds) repeats nothing.
 */
@Injectable()
export class InvoicesService {
  private readonly logger = new Logger(InvoicesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly rpc: AmqpRpcClient,
    private readonly stripe: StripeProvider,
    private readonly pricing: InvoicePricingService,
    private readonly env: BillingEnv,
  ) {}

  async create(request: CreateInvoiceRequestV1): Promise<CreateInvoiceReplyV1> {
    if (billingPeriodBounds(request.billingPeriod).from.getTime() > Date.now()) {
      throw BillingException.invalid(BillingExceptionCode.INVALID_INVOICE, [
        { field: 'billing_period', message: 'must not be a period that has not started' },
      ]);
    }
    const { invoice, created } = await this.reserve(request);
    const driven = await this.drive(invoice.invoiceId, { throwPricingErrors: true });
    return { invoice: await this.replyOf(driven), created };
  }

  async get(ref: InvoiceRefV1): Promise<InvoiceReplyV1> {
    return { invoice: await this.replyOf(await this.invoiceOrThrow(this.dataSource.manager, ref)) };
  }

  async list(request: ListInvoicesRequestV1): Promise<ListInvoicesReplyV1> {
    const query = this.dataSource.manager.createQueryBuilder(Invoice, 'invoice');
    if (request.customerId !== undefined)
      query.andWhere('invoice.customerId = :customerId', { customerId: request.customerId });
    if (request.billingPeriod !== undefined)
      query.andWhere('invoice.billingPeriod = :billingPeriod', {
        billingPeriod: request.billingPeriod,
      });
    if (request.status !== undefined)
      query.andWhere('invoice.status = :status', { status: request.status });
    const page = await paginateNewestFirst(
      query,
      { alias: 'invoice', id: 'invoiceId', createdAt: 'createdAt' },
      request,
    );
    const lines = await this.linesOfMany(page.items.map((invoice) => invoice.invoiceId));
    return {
      invoices: page.items.map((invoice) =>
        invoiceV1Of(invoice, lines.get(invoice.invoiceId) ?? []),
      ),
      hasMore: page.hasMore,
    };
  }

  /** Finalizes a draft left by `autoFinalize: false`, or finishes an interrupted Stripe side. */
  async finalize(ref: InvoiceRefV1): Promise<InvoiceReplyV1> {
    const invoice = await this.invoiceOrThrow(this.dataSource.manager, ref);
    if (invoice.status === 'void' || invoice.status === 'uncollectible') {
      throw new BillingException(
        BillingExceptionCode.INVOICE_STATE,
        `invoice ${invoice.invoiceId} is ${invoice.status}: it cannot be finalized`,
      );
    }
    if (!invoice.autoFinalize && invoice.stage !== 'done') {
      await this.dataSource.manager.update(
        Invoice,
        { invoiceId: invoice.invoiceId },
        { autoFinalize: true, updatedAt: new Date() },
      );
    }
    return { invoice: await this.replyOf(await this.drive(invoice.invoiceId, {})) };
  }

  /** Voids an invoice that is not paid: at Stripe first (a draft is deleted), then here. */
  async void(ref: InvoiceRefV1): Promise<InvoiceReplyV1> {
    const invoice = await this.invoiceOrThrow(this.dataSource.manager, ref);
    if (invoice.status === 'void') return { invoice: await this.replyOf(invoice) };
    if (invoice.status === 'paid' || invoice.status === 'uncollectible') {
      throw new BillingException(
        BillingExceptionCode.INVOICE_STATE,
        `invoice ${invoice.invoiceId} is ${invoice.status}: only an unpaid invoice can be voided`,
      );
    }
    if (invoice.stripeInvoiceId !== null) {
      if (invoice.finalizedAt === null && invoice.status === 'draft') {
        const current = await this.stripe.refetch('invoice', invoice.stripeInvoiceId);
        if (current.status === 'draft')
          await this.stripe.deleteDraftInvoice(invoice.stripeInvoiceId);
        else await this.stripe.voidInvoice(invoice.invoiceId, invoice.stripeInvoiceId);
      } else {
        await this.stripe.voidInvoice(invoice.invoiceId, invoice.stripeInvoiceId);
      }
    }
    await this.dataSource.manager.update(
      Invoice,
      { invoiceId: invoice.invoiceId },
      { status: 'void', stage: 'done', leaseUntil: null, updatedAt: new Date() },
    );
    return { invoice: await this.get({ invoiceId: invoice.invoiceId }).then((r) => r.invoice) };
  }

  /**
   * Takes the invoice as far as it can go: prices a reserved one, then its
   * Stripe side. Returns the invoice as it then stands; a Stripe failure is
   * recorded on it (`lastError`) for the next attempt, not thrown.
   */
  async drive(invoiceId: string, options: { throwPricingErrors?: boolean }): Promise<Invoice> {
    const leased = await this.lease(invoiceId);
    if (leased === null) return this.invoiceOrThrow(this.dataSource.manager, { invoiceId });
    try {
      let invoice = leased;
      if (invoice.stage === 'reserved') invoice = await this.price(invoice, options);
      if (invoice.stage !== 'reserved' && invoice.stage !== 'done')
        invoice = await this.advanceAtStripe(invoice);
      return invoice;
    } finally {
      await this.dataSource.manager.update(Invoice, { invoiceId }, { leaseUntil: null });
    }
  }

  /**
   * Invoices that stopped part-way and nobody holds: the resumer's work. A
   * draft left for `finalize` is not one of them; an invoice that keeps
   * failing is tried again less and less often (2^attempts seconds, at most
   * ten minutes), and one just reserved is left to its own request a while.
   */
  async unfinished(limit: number): Promise<string[]> {
    const rows = await this.dataSource.manager.query<{ invoice_id: string }[]>(
      `SELECT "invoice_id" FROM "billing"."invoices"
        WHERE "stage" <> 'done'
          AND NOT ("stage" = 'items_sent' AND NOT "auto_finalize")
          AND ("lease_until" IS NULL OR "lease_until" < now())
          AND "updated_at" < now() - make_interval(secs => least(600, greatest(10, power(2, "stripe_attempts"))))
        ORDER BY "updated_at"
        LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.invoice_id);
  }

  private async reserve(
    request: CreateInvoiceRequestV1,
  ): Promise<{ invoice: Invoice; created: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      await requireRegisteredCustomer(manager, request.customerId);
      const inserted = await manager.query<{ invoice_id: string }[]>(
        `INSERT INTO "billing"."invoices"
           ("invoice_id", "customer_id", "billing_period", "status", "stage", "auto_finalize")
         VALUES ($1, $2, $3, 'draft', 'reserved', $4)
         ON CONFLICT ("customer_id", "billing_period") DO NOTHING
         RETURNING "invoice_id"`,
        [newInvoiceId(), request.customerId, request.billingPeriod, request.autoFinalize ?? true],
      );
      const invoice = await manager.findOneByOrFail(Invoice, {
        customerId: request.customerId,
        billingPeriod: request.billingPeriod,
      });
      return { invoice, created: inserted.length > 0 };
    });
  }

  private async lease(invoiceId: string): Promise<Invoice | null> {
    const rows = await this.dataSource.manager.query<{ invoice_id: string }[]>(
      // As a CTE, so that the query answers rows (an UPDATE's answer is [rows, count]).
      `WITH "leased" AS (
         UPDATE "billing"."invoices"
            SET "lease_until" = now() + make_interval(secs => $2)
          WHERE "invoice_id" = $1 AND "stage" <> 'done'
            AND ("lease_until" IS NULL OR "lease_until" < now())
          RETURNING "invoice_id")
       SELECT "invoice_id" FROM "leased"`,
      [invoiceId, this.env.INVOICE_LEASE_SECONDS],
    );
    if (rows.length === 0) return null;
    return this.dataSource.manager.findOneByOrFail(Invoice, { invoiceId });
  }

  /**
   * Claims the usage (the same answer however often asked), gets the plan's
   * terms of any hours in it, and writes the lines, totals and billed state in
   * one transaction. A failure leaves the invoice reserved with `last_error`,
   * for the next ask or the resumer.
   */
  private async price(
    invoice: Invoice,
    options: { throwPricingErrors?: boolean },
  ): Promise<Invoice> {
    const claim = await this.rpc.call(METERING_USAGE_CLAIM_V1, {
      customerId: invoice.customerId,
      billingPeriod: invoice.billingPeriod,
      claimId: invoice.invoiceId,
    });
    try {
      // Outside the transaction: a slow subscriptions service holds no lock.
      const planTerms = await this.pricing.planTermsOf(invoice, claim);
      return await this.dataSource.transaction(async (manager) => {
        const current = await manager.findOne(Invoice, {
          where: { invoiceId: invoice.invoiceId },
          lock: { mode: 'pessimistic_write' },
        });
        if (current?.stage !== 'reserved') return current ?? invoice;
        const { lines, billed } = await this.pricing.linesOf(manager, current, claim, planTerms);
        if (lines.length > 0) await manager.insert(InvoiceLine, lines);
        for (const row of billed) await manager.save(BilledUsage, row);
        const subtotal = lines.reduce((sum, line) => sum + line.subtotal, 0);
        const discount = lines.reduce((sum, line) => sum + line.discount, 0);
        const total = subtotal - discount;
        const nothingToPay = total <= 0;
        const now = new Date();
        Object.assign(current, {
          currency: lines[0]?.currency ?? null,
          subtotal,
          discount,
          amountDue: Math.max(0, total),
          // Nothing to pay: recorded, never sent to Stripe, and paid as Stripe marks a zero invoice.
          status: nothingToPay ? 'paid' : 'draft',
          stage: (nothingToPay ? 'done' : 'priced') satisfies InvoiceStage,
          paidAt: nothingToPay ? now : null,
          lastError: null,
          updatedAt: now,
        });
        await manager.save(Invoice, current);
        return current;
      });
    } catch (error) {
      await this.recordError(invoice.invoiceId, error);
      if (options.throwPricingErrors === true) throw error;
      return this.invoiceOrThrow(this.dataSource.manager, { invoiceId: invoice.invoiceId });
    }
  }

  private async advanceAtStripe(start: Invoice): Promise<Invoice> {
    let invoice = start;
    try {
      if (invoice.stage === 'priced') invoice = await this.createStripeDraft(invoice);
      if (invoice.stage === 'stripe_draft') invoice = await this.sendItems(invoice);
      if (invoice.stage === 'items_sent' && invoice.autoFinalize)
        invoice = await this.finalizeAtStripe(invoice);
      if (invoice.stage === 'finalized') invoice = await this.collect(invoice);
      return invoice;
    } catch (error) {
      this.logger.warn(
        `invoice ${invoice.invoiceId} stopped at ${invoice.stage}: ${errorText(error)}`,
      );
      await this.recordError(invoice.invoiceId, error);
      return this.invoiceOrThrow(this.dataSource.manager, { invoiceId: invoice.invoiceId });
    }
  }

  private async createStripeDraft(invoice: Invoice): Promise<Invoice> {
    const customer = await this.dataSource.manager.findOneByOrFail(Customer, {
      customerId: invoice.customerId,
    });
    const collectionMethod =
      invoice.collectionMethod ??
      ((await this.stripe.defaultPaymentMethodOf(customer.stripeCustomerId)) === null
        ? 'send_invoice'
        : 'charge_automatically');
    const stripeInvoice = await this.stripe.createInvoice(invoice.invoiceId, {
      customer: customer.stripeCustomerId,
      collection_method: collectionMethod,
      ...(collectionMethod === 'send_invoice'
        ? { days_until_due: this.env.INVOICE_DAYS_UNTIL_DUE }
        : {}),
      auto_advance: false,
      pending_invoice_items_behavior: 'exclude',
      currency: invoice.currency ?? undefined,
      description: `Usage for ${invoice.billingPeriod}`,
      metadata: { aegis_customer_id: invoice.customerId, billing_period: invoice.billingPeriod },
    });
    return this.moveTo(invoice, 'stripe_draft', {
      collectionMethod,
      stripeInvoiceId: stripeInvoice.id,
    });
  }

  private async sendItems(invoice: Invoice): Promise<Invoice> {
    const stripeInvoiceId = invoice.stripeInvoiceId ?? '';
    const customer = await this.dataSource.manager.findOneByOrFail(Customer, {
      customerId: invoice.customerId,
    });
    const lines = await this.dataSource.manager.find(InvoiceLine, {
      where: { invoiceId: invoice.invoiceId, stripeInvoiceItemId: IsNull() },
      order: { position: 'ASC' },
    });
    for (const line of lines) {
      const { from: start, to: end } = billingPeriodBounds(line.billingPeriod);
      const item = await this.stripe.createInvoiceItem(line.lineId, {
        customer: customer.stripeCustomerId,
        invoice: stripeInvoiceId,
        amount: line.amount,
        currency: line.currency,
        description: line.description,
        period: {
          start: Math.floor(start.getTime() / 1000),
          end: Math.floor(end.getTime() / 1000) - 1,
        },
        metadata: { aegis_invoice_id: invoice.invoiceId },
      });
      await this.dataSource.manager.update(
        InvoiceLine,
        { lineId: line.lineId },
        { stripeInvoiceItemId: item.id },
      );
    }
    return this.moveTo(invoice, 'items_sent', {});
  }

  private async finalizeAtStripe(invoice: Invoice): Promise<Invoice> {
    const finalized = await this.stripe.finalizeInvoice(
      invoice.invoiceId,
      invoice.stripeInvoiceId ?? '',
    );
    if (finalized.amount_due !== invoice.amountDue) {
      this.logger.error(
        `invoice ${invoice.invoiceId}: Stripe's amount due ${finalized.amount_due} differs from ours ${invoice.amountDue}`,
      );
    }
    return this.moveTo(invoice, 'finalized', this.fieldsFromStripe(invoice, finalized));
  }

  /**
   * A payment attempt now (a declined card leaves it `payment_failed`, Stripe
   * retrying), or the invoice sent. With `auto_advance` Stripe may collect it by
   * itself first: a refused attempt is settled by looking at the invoice.
   */
  private async collect(invoice: Invoice): Promise<Invoice> {
    const stripeInvoiceId = invoice.stripeInvoiceId ?? '';
    let answer: Stripe.Invoice | null = null;
    if (invoice.status === 'paid' || invoice.status === 'void') {
      answer = null;
    } else if (invoice.collectionMethod === 'send_invoice') {
      answer = await this.stripe.sendInvoice(invoice.invoiceId, stripeInvoiceId);
    } else {
      try {
        answer = await this.stripe.payInvoice(invoice.invoiceId, stripeInvoiceId);
      } catch (error) {
        if (!(error instanceof StripeRefusedError)) throw error;
        answer = await this.stripe.refetch('invoice', stripeInvoiceId);
        const settled = answer.status === 'paid' || answer.status === 'void';
        if (!settled && error.stripeStatus !== 402) throw error;
      }
    }
    return this.moveTo(
      invoice,
      'done',
      answer === null ? {} : this.fieldsFromStripe(invoice, answer),
    );
  }

  /** What an answer of Stripe's tells us about the invoice (its status only if it moves it forward). */
  private fieldsFromStripe(invoice: Invoice, stripeInvoice: Stripe.Invoice): Partial<Invoice> {
    const status = statusOfStripeInvoice(stripeInvoice);
    const paidAt = stripeInvoice.status_transitions.paid_at;
    const finalizedAt = stripeInvoice.status_transitions.finalized_at;
    return {
      ...(answerMovesForward(invoice.status, status) ? { status } : {}),
      hostedInvoiceUrl: stripeInvoice.hosted_invoice_url ?? invoice.hostedInvoiceUrl,
      invoicePdf: stripeInvoice.invoice_pdf ?? invoice.invoicePdf,
      finalizedAt:
        invoice.finalizedAt ??
        (typeof finalizedAt === 'number' ? new Date(finalizedAt * 1000) : null),
      paidAt: invoice.paidAt ?? (typeof paidAt === 'number' ? new Date(paidAt * 1000) : null),
      amountPaid: Math.max(invoice.amountPaid, stripeInvoice.amount_paid),
    };
  }

  private async moveTo(
    invoice: Invoice,
    stage: InvoiceStage,
    fields: Partial<Invoice>,
  ): Promise<Invoice> {
    const changes = { ...fields, stage, lastError: null, updatedAt: new Date() };
    await this.dataSource.manager.update(Invoice, { invoiceId: invoice.invoiceId }, changes);
    return Object.assign(invoice, changes);
  }

  private async recordError(invoiceId: string, error: unknown): Promise<void> {
    await this.dataSource.manager
      .createQueryBuilder()
      .update(Invoice)
      .set({
        lastError: errorText(error).slice(0, 1_000),
        stripeAttempts: () => '"stripe_attempts" + 1',
        updatedAt: new Date(),
      })
      .where({ invoiceId })
      .execute();
  }

  private async invoiceOrThrow(manager: EntityManager, ref: InvoiceRefV1): Promise<Invoice> {
    const invoice = await manager.findOneBy(Invoice, { invoiceId: ref.invoiceId });
    if (
      invoice === null ||
      (ref.customerId !== undefined && invoice.customerId !== ref.customerId)
    ) {
      throw new BillingException(
        BillingExceptionCode.INVOICE_NOT_FOUND,
        `no invoice ${ref.invoiceId}`,
      );
    }
    return invoice;
  }

  private async replyOf(invoice: Invoice): Promise<ReturnType<typeof invoiceV1Of>> {
    const lines = await this.linesOfMany([invoice.invoiceId]);
    return invoiceV1Of(invoice, lines.get(invoice.invoiceId) ?? []);
  }

  private async linesOfMany(invoiceIds: readonly string[]): Promise<Map<string, InvoiceLine[]>> {
    const byInvoice = new Map<string, InvoiceLine[]>();
    if (invoiceIds.length === 0) return byInvoice;
    const lines = await this.dataSource.manager.find(InvoiceLine, {
      where: { invoiceId: In([...invoiceIds]) },
      order: { position: 'ASC' },
    });
    for (const line of lines) {
      const list = byInvoice.get(line.invoiceId) ?? [];
      list.push(line);
      byInvoice.set(line.invoiceId, list);
    }
    return byInvoice;
  }
}
