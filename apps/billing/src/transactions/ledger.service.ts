import { Injectable } from '@nestjs/common';
import {
  BILLING_TRANSACTION_CREATED_V1,
  type LedgerTransactionReplyV1,
  type LedgerTransactionV1,
  type ListTransactionsReplyV1,
  type ListTransactionsRequestV1,
  type RecordTransactionRequestV1,
  type TransactionOfStripeReplyV1,
  type TransactionOfStripeRequestV1,
  type TransactionRefV1,
} from '@aegis/contracts';
import { EventPublisher } from '@aegis/messaging';
import { paginateNewestFirst } from '@aegis/persistence';
import { DataSource, In, type EntityManager } from 'typeorm';
import { requireRegisteredCustomer } from '../catalog/catalog-lookups.js';
import { CheckoutSession } from '../checkout/entities/checkout-session.entity.js';
import { InvoiceLine } from '../invoices/entities/invoice-line.entity.js';
import { Invoice } from '../invoices/entities/invoice.entity.js';
import { Refund } from '../refunds/entities/refund.entity.js';
import { LedgerException, LedgerExceptionCode } from '../refunds/ledger.exception.js';
import { BillingTransaction } from './entities/billing-transaction.entity.js';
import { TransactionDispute } from './entities/transaction-dispute.entity.js';
import {
  ledgerTransactionV1Of,
  type CheckoutOfPayment,
  type InvoiceOfPayment,
} from './ledger-replies.js';

const DAY_MS = 86_400_000;

/**
 * The ledger as the API reads it (docs/ledger.md): every payment billing
 * mirrors from Stripe and every manual one, each with the product or plan it
 * paid for, its invoice or checkout session, and its refunds.
 */
@Injectable()
export class LedgerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
  ) {}

  async list(request: ListTransactionsRequestV1): Promise<ListTransactionsReplyV1> {
    const query = this.dataSource.manager.createQueryBuilder(BillingTransaction, 'transaction');
    if (request.customerId !== undefined)
      query.andWhere('transaction.customerId = :customerId', { customerId: request.customerId });
    if (request.status !== undefined)
      query.andWhere('transaction.status = :status', { status: request.status });
    if (request.startDate !== undefined)
      query.andWhere('transaction.stripeCreatedAt >= :start', {
        start: new Date(`${request.startDate}T00:00:00Z`),
      });
    if (request.endDate !== undefined)
      query.andWhere('transaction.stripeCreatedAt < :end', {
        end: new Date(new Date(`${request.endDate}T00:00:00Z`).getTime() + DAY_MS),
      });
    const page = await paginateNewestFirst(
      query,
      { alias: 'transaction', id: 'transactionId', createdAt: 'stripeCreatedAt' },
      request,
    );
    return {
      transactions: await this.repliesOf(this.dataSource.manager, page.items),
      hasMore: page.hasMore,
    };
  }

  async get(ref: TransactionRefV1): Promise<LedgerTransactionReplyV1> {
    return { transaction: await this.transactionV1(this.dataSource.manager, ref) };
  }

  /**
   * The transaction of a Stripe charge, else of a payment intent (for the
   * disputes service); null when billing has none.
   */
  async ofStripe(request: TransactionOfStripeRequestV1): Promise<TransactionOfStripeReplyV1> {
    const manager = this.dataSource.manager;
    const row = await transactionOfStripe(manager, request);
    if (row === null) return { transaction: null };
    const [reply] = await this.repliesOf(manager, [row]);
    return { transaction: reply ?? null };
  }

  /** One transaction as the API shows it; TRANSACTION_NOT_FOUND when none (or another customer's). */
  async transactionV1(manager: EntityManager, ref: TransactionRefV1): Promise<LedgerTransactionV1> {
    const [reply] = await this.repliesOf(manager, [await transactionOrThrow(manager, ref)]);
    if (reply === undefined) throw new Error('a transaction without its reply');
    return reply;
  }

  /**
   * Money taken outside Stripe: a `succeeded` row of source `manual`, without
   * Stripe ids, published as billing.transaction.created.v1 in the same
   * transaction. It cannot be refunded through Stripe.
   */
  async record(request: RecordTransactionRequestV1): Promise<LedgerTransactionReplyV1> {
    return this.dataSource.transaction(async (manager) => {
      await requireRegisteredCustomer(manager, request.customerId);
      const now = new Date();
      const row = await manager.save(
        manager.create(BillingTransaction, {
          source: 'manual',
          customerId: request.customerId,
          stripeCustomerId: null,
          stripePaymentIntentId: null,
          stripeChargeId: null,
          stripeInvoiceId: request.stripeInvoiceId ?? null,
          stripeCheckoutSessionId: null,
          amountCents: request.amount,
          amountRefundedCents: 0,
          currency: request.currency,
          status: 'succeeded',
          description: request.description,
          metadata: { ...request.metadata },
          billingPeriodStart: null,
          billingPeriodEnd: null,
          paymentIntentStatus: null,
          chargeStatus: null,
          chargeCaptured: null,
          failureCode: null,
          failureMessage: null,
          stripeCreatedAt: now,
          paymentIntentLastEventCreated: null,
          chargeLastEventCreated: null,
          invoiceLastEventCreated: null,
          updatedAt: now,
        }),
      );
      await this.publisher.publish(manager, BILLING_TRANSACTION_CREATED_V1, {
        transactionId: row.transactionId,
        customerId: row.customerId,
        stripeCustomerId: null,
        stripeChargeId: null,
        stripePaymentIntentId: null,
        stripeInvoiceId: row.stripeInvoiceId,
        status: row.status,
        previousStatus: null,
        amountCents: row.amountCents,
        amountRefundedCents: 0,
        currency: row.currency,
        updatedAt: row.updatedAt.toISOString(),
      });
      return {
        transaction: await this.transactionV1(manager, { transactionId: row.transactionId }),
      };
    });
  }

  private async repliesOf(
    manager: EntityManager,
    rows: readonly BillingTransaction[],
  ): Promise<LedgerTransactionV1[]> {
    if (rows.length === 0) return [];
    const refunds = await manager.find(Refund, {
      where: { transactionId: In(rows.map((row) => row.transactionId)) },
    });
    const invoices = await this.invoicesOf(
      manager,
      rows.flatMap((row) => (row.stripeInvoiceId === null ? [] : [row.stripeInvoiceId])),
    );
    const checkouts = await this.checkoutsOf(manager, rows);
    const disputes = await latestDisputesOf(
      manager,
      rows.map((row) => row.transactionId),
    );
    return rows.map((row) =>
      ledgerTransactionV1Of(
        row,
        refunds.filter((refund) => refund.transactionId === row.transactionId),
        row.stripeInvoiceId === null ? undefined : invoices.get(row.stripeInvoiceId),
        checkouts.get(row.transactionId),
        disputes.get(row.transactionId) ?? null,
      ),
    );
  }

  /**
   * Our checkouts these payments came from, by transaction: the checkout whose
   * Stripe session the payment completed, whose payment intent it is (before
   * the completed event reached the ledger), or whose first invoice it paid
   * (subscription mode).
   */
  private async checkoutsOf(
    manager: EntityManager,
    rows: readonly BillingTransaction[],
  ): Promise<Map<string, CheckoutOfPayment>> {
    const byTransaction = new Map<string, CheckoutOfPayment>();
    const ids = (pick: (row: BillingTransaction) => string | null): string[] => [
      ...new Set(rows.flatMap((row) => (pick(row) === null ? [] : [pick(row) ?? '']))),
    ];
    const sessions = ids((row) => row.stripeCheckoutSessionId);
    const intents = ids((row) => row.stripePaymentIntentId);
    const invoices = ids((row) => row.stripeInvoiceId);
    if (sessions.length + intents.length + invoices.length === 0) return byTransaction;
    const checkouts = await manager.find(CheckoutSession, {
      where: [
        ...(sessions.length === 0 ? [] : [{ stripeCheckoutSessionId: In(sessions) }]),
        ...(intents.length === 0 ? [] : [{ stripePaymentIntentId: In(intents) }]),
        ...(invoices.length === 0 ? [] : [{ stripeInvoiceId: In(invoices) }]),
      ],
    });
    for (const row of rows) {
      const checkout = checkouts.find(
        (candidate) =>
          candidate.stripeCheckoutSessionId === row.stripeCheckoutSessionId ||
          (row.stripePaymentIntentId !== null &&
            candidate.stripePaymentIntentId === row.stripePaymentIntentId) ||
          (row.stripeInvoiceId !== null && candidate.stripeInvoiceId === row.stripeInvoiceId),
      );
      if (checkout !== undefined)
        byTransaction.set(row.transactionId, {
          productId: checkout.productId,
          planId: checkout.planId,
        });
    }
    return byTransaction;
  }

  /** Our invoices among these Stripe invoices, by Stripe id, with the products their lines price. */
  private async invoicesOf(
    manager: EntityManager,
    stripeInvoiceIds: readonly string[],
  ): Promise<Map<string, InvoiceOfPayment>> {
    const byStripeId = new Map<string, InvoiceOfPayment>();
    if (stripeInvoiceIds.length === 0) return byStripeId;
    const invoices = await manager.find(Invoice, {
      where: { stripeInvoiceId: In([...new Set(stripeInvoiceIds)]) },
    });
    if (invoices.length === 0) return byStripeId;
    const lines = await manager.find(InvoiceLine, {
      where: { invoiceId: In(invoices.map((invoice) => invoice.invoiceId)) },
    });
    for (const invoice of invoices) {
      if (invoice.stripeInvoiceId === null) continue;
      const productIds = [
        ...new Set(
          lines
            .filter((line) => line.invoiceId === invoice.invoiceId)
            .map((line) => line.productId),
        ),
      ];
      byStripeId.set(invoice.stripeInvoiceId, { invoiceId: invoice.invoiceId, productIds });
    }
    return byStripeId;
  }
}

/**
 * The transaction of a Stripe charge, else of a payment intent: the mapping
 * of `billing.transaction.of_stripe.v1`, which disputes are linked by too.
 */
export async function transactionOfStripe(
  manager: EntityManager,
  ids: { readonly stripeChargeId?: string | null; readonly stripePaymentIntentId?: string | null },
): Promise<BillingTransaction | null> {
  const byCharge =
    ids.stripeChargeId == null
      ? null
      : await manager.findOneBy(BillingTransaction, { stripeChargeId: ids.stripeChargeId });
  if (byCharge !== null) return byCharge;
  return ids.stripePaymentIntentId == null
    ? null
    : manager.findOneBy(BillingTransaction, { stripePaymentIntentId: ids.stripePaymentIntentId });
}

/**
 * The latest dispute of each of these transactions (one query): the one
 * billing first heard of last, by Stripe dispute id on a tie.
 */
async function latestDisputesOf(
  manager: EntityManager,
  transactionIds: readonly string[],
): Promise<Map<string, TransactionDispute>> {
  const latest = new Map<string, TransactionDispute>();
  if (transactionIds.length === 0) return latest;
  const disputes = await manager.find(TransactionDispute, {
    where: { transactionId: In([...new Set(transactionIds)]) },
    order: { createdAt: 'DESC', stripeDisputeId: 'DESC' },
  });
  for (const dispute of disputes) {
    if (dispute.transactionId !== null && !latest.has(dispute.transactionId))
      latest.set(dispute.transactionId, dispute);
  }
  return latest;
}

/** The transaction `ref` names, optionally locked; TRANSACTION_NOT_FOUND when none (or another customer's). */
export async function transactionOrThrow(
  manager: EntityManager,
  ref: TransactionRefV1,
  { lock = false } = {},
): Promise<BillingTransaction> {
  const row = await manager.findOne(BillingTransaction, {
    where: { transactionId: ref.transactionId },
    ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
  if (row === null || (ref.customerId !== undefined && row.customerId !== ref.customerId)) {
    throw new LedgerException(
      LedgerExceptionCode.TRANSACTION_NOT_FOUND,
      `no transaction ${ref.transactionId}`,
    );
  }
  return row;
}
