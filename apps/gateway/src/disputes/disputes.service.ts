import { Injectable } from '@nestjs/common';
import {
  BILLING_TRANSACTION_GET_V1,
  DISPUTES_ACCEPT_V1,
  DISPUTES_EVIDENCE_V1,
  DISPUTES_FRAUD_WARNING_LIST_V1,
  DISPUTES_GET_V1,
  DISPUTES_LIST_V1,
  MAX_EVIDENCE_TEXT_LENGTH,
  type DisputeDetailResourceV1,
  type DisputeDetailV1,
  type DisputeEvidenceV1,
  type DisputeResourceV1,
  type FraudWarningResourceV1,
  type ListV1,
  type TransactionResourceV1,
} from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError } from '@aegis/messaging';
import { InvalidInputException } from '@aegis/platform';
import { listOf, pageRequestOf, readPage } from '../http/list.js';
import { transactionResourceOf } from '../payments/transactions/ledger-resources.js';
import { DISPUTE_EVIDENCE_FIELDS, evidenceOf } from './dispute-evidence.js';
import {
  disputeDetailResourceOf,
  disputeResourceOf,
  fraudWarningResourceOf,
} from './dispute-resources.js';
import type {
  ListDisputesQueryDto,
  ListFraudWarningsQueryDto,
  SubmitDisputeEvidenceDto,
} from './disputes.dto.js';
import { mappedDisputeCall } from './disputes.exception.js';

/** One dispute's answer: its draft is assembled from billing and metering (3 s each at most). */
const DETAIL_TIMEOUT_MS = 15_000;
/** Evidence and accept are Stripe calls, then the dispute's answer with its draft. */
const STRIPE_SIDE_TIMEOUT_MS = 20_000;

/**
 * Disputes and early fraud warnings over the disputes service's RPC
 * (`disputes.*.v1`): the service mirrors Stripe and talks to it; the gateway
 * checks the shape, adds the disputed transaction from billing and answers
 * the public API's resources. Admin keys only (the controller's).
 */
@Injectable()
export class DisputesService {
  constructor(private readonly rpc: AmqpRpcClient) {}

  async list(query: ListDisputesQueryDto): Promise<ListV1<DisputeResourceV1>> {
    const { disputes, hasMore } = await readPage(() =>
      mappedDisputeCall(
        this.rpc.call(DISPUTES_LIST_V1, {
          ...pageRequestOf(query),
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.customer_id === undefined ? {} : { customerId: query.customer_id }),
        }),
        {},
      ),
    );
    return listOf(disputes.map(disputeResourceOf), hasMore);
  }

  async get(disputeId: string): Promise<DisputeDetailResourceV1> {
    const { dispute } = await mappedDisputeCall(
      this.rpc.call(DISPUTES_GET_V1, { disputeId }, { timeoutMs: DETAIL_TIMEOUT_MS }),
      { disputeId },
    );
    return this.detailOf(dispute);
  }

  async submitEvidence(
    disputeId: string,
    body: SubmitDisputeEvidenceDto,
  ): Promise<DisputeDetailResourceV1> {
    const evidence = evidenceOf(body);
    assertWithinStripeLimit(evidence);
    const { dispute } = await mappedDisputeCall(
      this.rpc.call(
        DISPUTES_EVIDENCE_V1,
        { disputeId, evidence, submit: body.submit === true },
        { timeoutMs: STRIPE_SIDE_TIMEOUT_MS },
      ),
      { disputeId },
    );
    return this.detailOf(dispute);
  }

  async accept(disputeId: string): Promise<DisputeDetailResourceV1> {
    const { dispute } = await mappedDisputeCall(
      this.rpc.call(DISPUTES_ACCEPT_V1, { disputeId }, { timeoutMs: STRIPE_SIDE_TIMEOUT_MS }),
      { disputeId },
    );
    return this.detailOf(dispute);
  }

  async fraudWarnings(query: ListFraudWarningsQueryDto): Promise<ListV1<FraudWarningResourceV1>> {
    const { fraudWarnings, hasMore } = await readPage(() =>
      mappedDisputeCall(
        this.rpc.call(DISPUTES_FRAUD_WARNING_LIST_V1, {
          ...pageRequestOf(query),
          ...(query.customer_id === undefined ? {} : { customerId: query.customer_id }),
        }),
        {},
      ),
    );
    return listOf(fraudWarnings.map(fraudWarningResourceOf), hasMore);
  }

  private async detailOf(dispute: DisputeDetailV1): Promise<DisputeDetailResourceV1> {
    const transactionId = dispute.transactionId ?? null;
    return disputeDetailResourceOf(
      dispute,
      transactionId === null ? null : await this.transactionOf(transactionId),
    );
  }

  /** The disputed transaction from billing's ledger; null if billing does not have it (any more). */
  private async transactionOf(transactionId: string): Promise<TransactionResourceV1 | null> {
    try {
      const { transaction } = await this.rpc.call(BILLING_TRANSACTION_GET_V1, { transactionId });
      return transactionResourceOf(transaction);
    } catch (error) {
      if (error instanceof RpcRemoteError && error.code === 'transaction_not_found') return null;
      throw error;
    }
  }
}

/**
 * Stripe takes at most MAX_EVIDENCE_TEXT_LENGTH characters of text evidence
 * altogether: more is refused here, naming every field sent, before anything
 * reaches Stripe (the service checks the same).
 */
function assertWithinStripeLimit(evidence: DisputeEvidenceV1): void {
  const given = DISPUTE_EVIDENCE_FIELDS.flatMap((field) => {
    const text = evidence[field];
    return text === undefined ? [] : [{ field, length: text.length }];
  });
  const length = given.reduce((sum, { length: each }) => sum + each, 0);
  if (length <= MAX_EVIDENCE_TEXT_LENGTH) return;
  const message = `the evidence's text is ${length} characters together; Stripe takes at most ${MAX_EVIDENCE_TEXT_LENGTH}`;
  throw new InvalidInputException(given.map(({ field }) => ({ field, message })));
}
