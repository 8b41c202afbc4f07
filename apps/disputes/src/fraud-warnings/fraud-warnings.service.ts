import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BILLING_REFUND_CREATE_V1,
  type Envelope,
  type FraudWarningDecision,
  type FraudWarningV1,
  type ListFraudWarningsReplyV1,
  type ListFraudWarningsRequestV1,
  type StripeEventName,
  type StripeEventOutcome,
} from '@aegis/contracts';
import {
  AmqpRpcClient,
  RpcRemoteError,
  RpcTimeoutError,
  RpcUnreachableError,
  type ConsumeContext,
} from '@aegis/messaging';
import { lockUntilCommit, paginateNewestFirst } from '@aegis/persistence';
import { SERVICE_NAME } from '@aegis/platform';
import {
  StripeProvider,
  fromStripeTime,
  idOf,
  reportStripeEventOutcome,
  secondsOf,
  stateToApply,
} from '@aegis/stripe';
import type Stripe from 'stripe';
import { DataSource, type EntityManager } from 'typeorm';
import { DisputesEnv } from '../config/disputes.env.js';
import { Dispute } from '../disputes/entities/dispute.entity.js';
import { LedgerLinks } from '../disputes/ledger-links.js';
import { FraudWarning } from './entities/fraud-warning.entity.js';

export type StripeFraudWarningEvent =
  Stripe.RadarEarlyFraudWarningCreatedEvent | Stripe.RadarEarlyFraudWarningUpdatedEvent;

/** billing's refund answer is awaited this long; a timeout leaves the warning for the sweep. */
const REFUND_TIMEOUT_MS = 30_000;

/** The refund of a warning is asked under this key, so billing makes it once whoever asks again. */
export function fraudWarningRefundKey(stripeWarningId: string): string {
  return `efw-${stripeWarningId}`;
}

interface Decided {
  readonly decision: FraudWarningDecision;
  readonly detail: string;
  readonly refundId?: string;
}

/**
 * Radar's early fraud warnings: mirrored with the convergence rule, and each
 * decided once: an actionable warning on a charge at or below
 * EFW_AUTO_REFUND_MAX_CENTS, neither refunded nor disputed, is refunded
 * through billing (reason `fraudulent`) under a key of the warning, so
 * redeliveries, replays and the sweep all ask for the same one refund.
 */
@Injectable()
export class FraudWarningsService {
  private readonly logger = new Logger(FraudWarningsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly stripe: StripeProvider,
    private readonly links: LedgerLinks,
    private readonly rpc: AmqpRpcClient,
    private readonly env: DisputesEnv,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  async apply(
    envelope: Envelope<StripeEventName, StripeFraudWarningEvent>,
    context: ConsumeContext,
  ): Promise<void> {
    const outcome = await this.converge(envelope.data, context.manager);
    await reportStripeEventOutcome(context, this.service, outcome);
  }

  async list(request: ListFraudWarningsRequestV1): Promise<ListFraudWarningsReplyV1> {
    const query = this.dataSource.manager.createQueryBuilder(FraudWarning, 'warning');
    if (request.customerId !== undefined)
      query.andWhere('warning.customerId = :customerId', { customerId: request.customerId });
    const page = await paginateNewestFirst(
      query,
      { alias: 'warning', id: 'warningId', createdAt: 'createdAt' },
      request,
    );
    return { fraudWarnings: page.items.map(viewOf), hasMore: page.hasMore };
  }

  /** Decides the warning if it is undecided; the sweep calls it for those left pending. */
  async decide(manager: EntityManager, stripeWarningId: string): Promise<void> {
    const row = await this.lockedRow(manager, stripeWarningId);
    if (row?.decision !== null) return;
    const decided = await this.decisionFor(manager, row);
    if (decided === null) return;
    await manager.update(
      FraudWarning,
      { warningId: row.warningId },
      {
        decision: decided.decision,
        decisionDetail: decided.detail,
        refundId: decided.refundId ?? null,
        decidedAt: new Date(),
        updatedAt: new Date(),
      },
    );
    this.logger.log(`fraud warning ${stripeWarningId}: ${decided.decision} (${decided.detail})`);
  }

  private async converge(
    event: StripeFraudWarningEvent,
    manager: EntityManager,
  ): Promise<StripeEventOutcome> {
    const incoming = event.data.object;
    const row = await this.lockedRow(manager, incoming.id);
    const state = await stateToApply(
      this.stripe,
      'radar.early_fraud_warning',
      event,
      row === null ? null : secondsOf(row.lastEventCreated),
      // Stripe never makes a warning actionable again.
      row !== null && !row.actionable && incoming.actionable,
    );
    if (state.outcome === 'stale') return 'stale';
    const warning = state.object;
    const lastEventCreated = fromStripeTime(
      Math.max(row === null ? event.created : secondsOf(row.lastEventCreated), event.created),
    );
    if (row === null) {
      const chargeId = idOf(warning.charge);
      const paymentIntentId = idOf(warning.payment_intent ?? null);
      const ledger = await this.links.transactionOf(chargeId, paymentIntentId);
      const now = new Date();
      await manager.insert(FraudWarning, {
        warningId: randomUUID(),
        stripeWarningId: warning.id,
        stripeChargeId: chargeId,
        stripePaymentIntentId: paymentIntentId,
        customerId: ledger?.customerId ?? (await this.links.customerIdOfCharge(chargeId)),
        actionable: warning.actionable,
        fraudType: warning.fraud_type,
        decision: null,
        refundId: null,
        decisionDetail: null,
        decidedAt: null,
        stripeCreated: fromStripeTime(warning.created),
        lastEventCreated,
        createdAt: now,
        updatedAt: now,
      });
    } else {
      await manager.update(
        FraudWarning,
        { warningId: row.warningId },
        {
          actionable: warning.actionable,
          fraudType: warning.fraud_type,
          lastEventCreated,
          updatedAt: new Date(),
        },
      );
    }
    await this.decide(manager, warning.id);
    return state.outcome;
  }

  /** What to do about a warning; null when it cannot be decided yet (billing does not know the charge, or is away). */
  private async decisionFor(manager: EntityManager, row: FraudWarning): Promise<Decided | null> {
    if (!row.actionable) {
      return { decision: 'not_actionable', detail: 'Stripe says the warning is not actionable' };
    }
    const max = this.env.EFW_AUTO_REFUND_MAX_CENTS;
    if (max === undefined) {
      return {
        decision: 'kept',
        detail: 'automatic refunds are off (EFW_AUTO_REFUND_MAX_CENTS unset)',
      };
    }
    const transaction = await this.links.transactionOf(
      row.stripeChargeId,
      row.stripePaymentIntentId,
    );
    if (transaction === null) return null;
    if (transaction.amount > max) {
      return {
        decision: 'kept',
        detail: `the charge of ${transaction.amount} ${transaction.currency} is above EFW_AUTO_REFUND_MAX_CENTS (${max})`,
      };
    }
    const disputed = await manager.existsBy(Dispute, { stripeChargeId: row.stripeChargeId });
    if (disputed) return { decision: 'already_handled', detail: 'the charge is disputed' };
    const key = fraudWarningRefundKey(row.stripeWarningId);
    // An earlier try whose answer this service lost (its transaction rolled back): billing made
    // it under this warning's request key.
    const earlier = transaction.refunds.find(
      (refund) =>
        refund.requestKey === key && refund.status !== 'failed' && refund.status !== 'canceled',
    );
    if (earlier !== undefined) {
      return {
        decision: 'refunded',
        detail: `refunded ${earlier.amount} ${earlier.currency} to avoid a dispute`,
        refundId: earlier.id,
      };
    }
    if (transaction.amountRefunded > 0) {
      return { decision: 'already_handled', detail: 'the charge is refunded already' };
    }
    if (transaction.status !== 'succeeded') {
      return { decision: 'already_handled', detail: `the payment is ${transaction.status}` };
    }
    try {
      const { refund } = await this.rpc.call(
        BILLING_REFUND_CREATE_V1,
        { transactionId: transaction.id, reason: 'fraudulent', requestKey: key },
        { timeoutMs: REFUND_TIMEOUT_MS },
      );
      return {
        decision: 'refunded',
        detail: `refunded ${refund.amount} ${refund.currency} to avoid a dispute`,
        refundId: refund.id,
      };
    } catch (error) {
      if (error instanceof RpcTimeoutError || error instanceof RpcUnreachableError) return null;
      // Stripe away: try again on the next sweep rather than give up on the refund.
      if (error instanceof RpcRemoteError && error.status === 503) return null;
      if (error instanceof RpcRemoteError) {
        return { decision: 'refund_failed', detail: `${error.code}: ${error.message}` };
      }
      throw error;
    }
  }

  private async lockedRow(
    manager: EntityManager,
    stripeWarningId: string,
  ): Promise<FraudWarning | null> {
    await lockUntilCommit(manager, `disputes.fraud_warning:${stripeWarningId}`);
    return manager.findOneBy(FraudWarning, { stripeWarningId });
  }
}

function viewOf(row: FraudWarning): FraudWarningV1 {
  return {
    id: row.warningId,
    stripeWarningId: row.stripeWarningId,
    stripeChargeId: row.stripeChargeId,
    stripePaymentIntentId: row.stripePaymentIntentId,
    customerId: row.customerId,
    actionable: row.actionable,
    fraudType: row.fraudType,
    decision: row.decision,
    refundId: row.refundId,
    decisionDetail: row.decisionDetail,
    createdAt: row.createdAt.toISOString(),
  };
}
