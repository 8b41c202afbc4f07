import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  BILLING_CUSTOMER_GET_V1,
  BILLING_TRANSACTION_GET_V1,
  DISPUTE_TEXT_EVIDENCE_FIELDS,
  MAX_EVIDENCE_TEXT_LENGTH,
  METERING_USAGE_PERIOD_V1,
  type CustomerV1,
  type DisputeDetailV1,
  type DisputeRefV1,
  type DisputeReplyV1,
  type DisputeV1,
  type EventName,
  type EventPayload,
  type LedgerTransactionV1,
  type ListDisputesReplyV1,
  type ListDisputesRequestV1,
  type SubmitEvidenceRequestV1,
  type UsagePeriodReplyV1,
} from '@aegis/contracts';
import { AmqpRpcClient, EventPublisher, type PublishOptions } from '@aegis/messaging';
import { paginateNewestFirst } from '@aegis/persistence';
import { StripeProvider, idOf, requestIdOf } from '@aegis/stripe';
import type Stripe from 'stripe';
import { DataSource, In, type EntityManager } from 'typeorm';
import { DisputesEnv } from '../config/disputes.env.js';
import { DisputesException, DisputesExceptionCode } from '../disputes.exception.js';
import { DisputeMirrorService, type MirrorTransaction } from './dispute-mirror.service.js';
import { DisputeHistoryEntry } from './entities/dispute-history-entry.entity.js';
import { Dispute } from './entities/dispute.entity.js';
import { evidenceDraftOf } from './evidence-draft.js';

/** Each part of an evidence draft waits this long for the service that knows it. */
const DRAFT_SOURCE_TIMEOUT_MS = 3_000;

/** Statuses in which Stripe still takes evidence or an acceptance. */
const ANSWERABLE = new Set<Dispute['status']>(['needs_response', 'warning_needs_response']);

/** DisputeV1's fields as a plain object (the contract is a class, for its validation). */
type DisputeView = { [Field in keyof DisputeV1]: DisputeV1[Field] };

/** The disputes over RPC: listing, one with its draft, sending evidence, accepting. */
@Injectable()
export class DisputesService {
  private readonly logger = new Logger(DisputesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly stripe: StripeProvider,
    private readonly mirror: DisputeMirrorService,
    private readonly rpc: AmqpRpcClient,
    private readonly publisher: EventPublisher,
    private readonly env: DisputesEnv,
  ) {}

  async list(request: ListDisputesRequestV1): Promise<ListDisputesReplyV1> {
    const manager = this.dataSource.manager;
    const query = manager.createQueryBuilder(Dispute, 'dispute');
    if (request.customerId !== undefined)
      query.andWhere('dispute.customerId = :customerId', { customerId: request.customerId });
    if (request.status !== undefined)
      query.andWhere('dispute.status = :status', { status: request.status });
    const page = await paginateNewestFirst(
      query,
      { alias: 'dispute', id: 'disputeId', createdAt: 'createdAt' },
      request,
    );
    return { disputes: await this.viewsOf(manager, page.items), hasMore: page.hasMore };
  }

  async get(ref: DisputeRefV1): Promise<DisputeReplyV1> {
    const row = await this.linkedRow(ref);
    return { dispute: await this.detailOf(row) };
  }

  async submitEvidence(request: SubmitEvidenceRequestV1): Promise<DisputeReplyV1> {
    const row = await this.rowOf(request);
    const evidence = Object.fromEntries(
      DISPUTE_TEXT_EVIDENCE_FIELDS.flatMap((field) => {
        const value = request.evidence[field];
        return value === undefined ? [] : [[field, value]];
      }),
    );
    const length = Object.values(evidence).reduce((sum, text) => sum + text.length, 0);
    if (length > MAX_EVIDENCE_TEXT_LENGTH) {
      const message = `the evidence's text is ${length} characters together; Stripe takes at most ${MAX_EVIDENCE_TEXT_LENGTH}`;
      throw new DisputesException(DisputesExceptionCode.INVALID_EVIDENCE, message, [
        { field: 'evidence', message },
      ]);
    }
    this.requireAnswerable(row, request.submit ? 'submitted to' : 'changed at');
    // One update of the dispute as it is now: a retry repeats it, the same evidence sent again
    // after another change is a new one (Stripe would answer a reused key with its first answer).
    const updateKey = `v${row.version}-${createHash('sha256')
      .update(JSON.stringify({ evidence, submit: request.submit }))
      .digest('hex')
      .slice(0, 32)}`;
    const answer = await this.stripe.updateDispute(row.stripeDisputeId, updateKey, {
      evidence,
      submit: request.submit,
    });
    return { dispute: await this.detailOf(await this.applyAnswer('evidence', answer)) };
  }

  async accept(ref: DisputeRefV1): Promise<DisputeReplyV1> {
    const row = await this.rowOf(ref);
    // Accepting twice answers the first acceptance.
    if (row.status === 'lost' || row.status === 'warning_closed') {
      return { dispute: await this.detailOf(row) };
    }
    this.requireAnswerable(row, 'accepted at');
    const answer = await this.stripe.closeDispute(row.stripeDisputeId);
    return { dispute: await this.detailOf(await this.applyAnswer('accept', answer)) };
  }

  private requireAnswerable(row: Dispute, what: string): void {
    if (ANSWERABLE.has(row.status)) return;
    throw new DisputesException(
      DisputesExceptionCode.DISPUTE_CLOSED,
      `dispute ${row.disputeId} is ${row.status}: it can no longer be ${what} Stripe`,
    );
  }

  private async applyAnswer(
    command: 'evidence' | 'accept',
    dispute: Stripe.Dispute,
  ): Promise<Dispute> {
    const stripeTime = await this.stripe.answerTime(dispute, await this.testClockOf(dispute));
    return this.dataSource.transaction((manager) =>
      this.mirror.applyCommandAnswer(this.transactionOf(manager), {
        command,
        dispute,
        requestId: requestIdOf(dispute),
        stripeTime,
      }),
    );
  }

  /** The test clock the dispute's events are stamped with: its charge's customer's, if any. */
  private async testClockOf(dispute: Stripe.Dispute): Promise<string | null> {
    const charge = await this.stripe.refetch('charge', idOf(dispute.charge), {
      expand: ['customer'],
    });
    const customer = charge.customer;
    if (customer === null || typeof customer === 'string' || customer.deleted === true) return null;
    return customer.test_clock === null ? null : idOf(customer.test_clock);
  }

  private transactionOf(manager: EntityManager): MirrorTransaction {
    return {
      manager,
      publish: <K extends EventName>(type: K, data: EventPayload<K>, options?: PublishOptions) =>
        this.publisher.publish(manager, type, data, options),
    };
  }

  private async rowOf(ref: DisputeRefV1): Promise<Dispute> {
    const row = await this.dataSource.manager.findOneBy(Dispute, { disputeId: ref.disputeId });
    if (row === null || (ref.customerId !== undefined && row.customerId !== ref.customerId)) {
      throw DisputesException.notFound(ref.disputeId);
    }
    return row;
  }

  /** The dispute, linked to billing's transaction now if it was not and billing has it. */
  private async linkedRow(ref: DisputeRefV1): Promise<Dispute> {
    const row = await this.rowOf(ref);
    if (row.transactionId !== null) return row;
    const linked = await this.dataSource.transaction((manager) =>
      this.mirror.link(this.transactionOf(manager), row.disputeId),
    );
    return linked ? this.rowOf(ref) : row;
  }

  private async viewsOf(manager: EntityManager, rows: readonly Dispute[]): Promise<DisputeView[]> {
    const history =
      rows.length === 0
        ? []
        : await manager.find(DisputeHistoryEntry, {
            where: { disputeId: In(rows.map((row) => row.disputeId)) },
            order: { version: 'ASC' },
          });
    return rows.map((row) => ({
      id: row.disputeId,
      stripeDisputeId: row.stripeDisputeId,
      stripeChargeId: row.stripeChargeId,
      stripePaymentIntentId: row.stripePaymentIntentId,
      customerId: row.customerId,
      transactionId: row.transactionId,
      amount: row.amount,
      currency: row.currency,
      status: row.status,
      reason: row.reason,
      evidenceDueBy: row.evidenceDueBy?.toISOString() ?? null,
      evidenceSubmitted: row.evidenceSubmitted,
      feeCents: row.feeCents,
      amountWithdrawn: row.amountWithdrawn,
      history: history
        .filter((entry) => entry.disputeId === row.disputeId && entry.fromStatus !== entry.toStatus)
        .map((entry) => ({
          fromStatus: entry.fromStatus,
          toStatus: entry.toStatus,
          source: entry.sourceId,
          sourceType: entry.sourceType,
          at: entry.sourceCreated.toISOString(),
        })),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    }));
  }

  private async detailOf(row: Dispute): Promise<DisputeDetailV1> {
    const [view] = await this.viewsOf(this.dataSource.manager, [row]);
    if (view === undefined) throw new Error(`no view of dispute ${row.disputeId}`);
    const transaction = await this.draftPart('transaction', () =>
      row.transactionId === null
        ? Promise.resolve(null)
        : this.rpc
            .call(
              BILLING_TRANSACTION_GET_V1,
              { transactionId: row.transactionId },
              { timeoutMs: DRAFT_SOURCE_TIMEOUT_MS },
            )
            .then((reply) => reply.transaction),
    );
    const customerId = row.customerId;
    const [customer, usage, receiptUrl] = await Promise.all([
      this.draftPart<CustomerV1>('customer', () =>
        customerId === null
          ? Promise.resolve(null)
          : this.rpc
              .call(BILLING_CUSTOMER_GET_V1, { customerId }, { timeoutMs: DRAFT_SOURCE_TIMEOUT_MS })
              .then((reply) => reply.customer),
      ),
      this.draftPart<UsagePeriodReplyV1>('usage', () =>
        customerId === null
          ? Promise.resolve(null)
          : this.rpc.call(
              METERING_USAGE_PERIOD_V1,
              { customerId, billingPeriod: billingPeriodOf(row, transaction) },
              { timeoutMs: DRAFT_SOURCE_TIMEOUT_MS },
            ),
      ),
      this.draftPart('receipt', async () => {
        const charge = await this.stripe.refetch('charge', row.stripeChargeId);
        return charge.receipt_url;
      }),
    ]);
    return {
      ...view,
      evidence: row.evidence,
      evidenceDraft: evidenceDraftOf({
        customer,
        transaction,
        receiptUrl,
        usage,
        refundPolicy: this.env.DISPUTE_REFUND_POLICY_TEXT ?? null,
      }),
    };
  }

  /** One source of the draft; a source that cannot answer now leaves its part out. */
  private async draftPart<T>(what: string, read: () => Promise<T | null>): Promise<T | null> {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      this.logger.warn(`evidence draft without its ${what}: ${error.message}`);
      return null;
    }
  }
}

/** The month whose usage goes in the draft: the invoice's period, else the charge's month. */
function billingPeriodOf(row: Dispute, transaction: LedgerTransactionV1 | null): string {
  const at =
    transaction?.billingPeriodStart ?? transaction?.createdAt ?? row.createdAt.toISOString();
  return at.slice(0, 7);
}
