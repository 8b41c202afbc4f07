import { Injectable } from '@nestjs/common';
import {
  BILLING_REFUND_CREATE_V1,
  BILLING_REFUND_LIST_V1,
  type ListV1,
  type RefundResourceV1,
} from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError } from '@aegis/messaging';
import { assertCustomerVisible } from '../../auth/access.decorators.js';
import type { Principal } from '../../auth/principal.js';
import { GatewayException, GatewayExceptionCode } from '../../gateway.exception.js';
import { listOf, pageRequestOf, readPage } from '../../http/list.js';
import { refundResourceOf } from '../transactions/ledger-resources.js';
import { mappedLedgerCall, publicLedgerFieldOf } from '../transactions/ledger.exception.js';
import type { CreateRefundDto, ListRefundsQueryDto } from './refunds.dto.js';

/** A refund is a reservation, a Stripe call and its answer: more than the default RPC time-out when Stripe is slow. */
const STRIPE_SIDE_TIMEOUT_MS = 20_000;

/** Refunds over billing's RPC (`billing.refund.*.v1`): billing serializes them per charge. */
@Injectable()
export class RefundsService {
  constructor(private readonly rpc: AmqpRpcClient) {}

  /**
   * `idempotencyKey`: the request's `Idempotency-Key`, kept by billing on the
   * refund, so that asking again under it (the gateway's own record is gone
   * once a request failed) answers the refund it made instead of making another.
   */
  async create(body: CreateRefundDto, idempotencyKey?: string): Promise<RefundResourceV1> {
    const { refund } = await mappedLedgerCall(
      this.rpc.call(
        BILLING_REFUND_CREATE_V1,
        {
          transactionId: body.transaction_id,
          ...(body.amount_cents === undefined ? {} : { amount: body.amount_cents }),
          ...(body.reason === undefined ? {} : { reason: body.reason }),
          ...(idempotencyKey === undefined ? {} : { requestKey: idempotencyKey }),
        },
        { timeoutMs: STRIPE_SIDE_TIMEOUT_MS },
      ),
      { transactionId: body.transaction_id },
    ).catch((error: unknown) => {
      throw requestKeyErrorOf(error);
    });
    return refundResourceOf(refund);
  }

  /** Newest first; a customer key's own customer's only (naming another's is a 404). */
  async list(principal: Principal, query: ListRefundsQueryDto): Promise<ListV1<RefundResourceV1>> {
    let customerId = query.customer_id;
    if (principal.kind === 'customer') {
      customerId ??= principal.customerId;
      assertCustomerVisible(principal, customerId);
    }
    const { refunds, hasMore } = await readPage(() =>
      mappedLedgerCall(
        this.rpc.call(BILLING_REFUND_LIST_V1, {
          ...pageRequestOf(query),
          ...(customerId === undefined ? {} : { customerId }),
          ...(query.transaction_id === undefined ? {} : { transactionId: query.transaction_id }),
          ...(query.status === undefined ? {} : { status: query.status }),
        }),
        customerId === undefined ? {} : { customerId },
      ),
    );
    const visible =
      principal.kind === 'customer'
        ? refunds.filter((refund) => refund.customerId === principal.customerId)
        : refunds;
    return listOf(visible.map(refundResourceOf), hasMore);
  }
}

/**
 * billing's answers about the refund's request key in the gateway's own words
 * for the same cases (libs/contracts/src/rpc/ledger.v1.ts): another body under
 * the key 422 `idempotency_key_reused` (naming the body's fields), the key's
 * refund being sent right now 409 `idempotency_key_in_use`.
 */
function requestKeyErrorOf(error: unknown): unknown {
  if (!(error instanceof RpcRemoteError)) return error;
  if (error.code === 'idempotency_key_reused') {
    const fields = error.fields.map(
      ({ field, message }) => `${publicLedgerFieldOf(field)}: ${message}`,
    );
    return new GatewayException(
      GatewayExceptionCode.IDEMPOTENCY_KEY_REUSED,
      `this Idempotency-Key made a refund of this transaction with another ${error.fields
        .map(({ field }) => publicLedgerFieldOf(field))
        .join(' and ')} (${fields.join('; ')}): use a new key for a new refund`,
    );
  }
  if (error.code === 'idempotency_key_in_use')
    return new GatewayException(GatewayExceptionCode.IDEMPOTENCY_KEY_IN_USE, error.message);
  return error;
}
