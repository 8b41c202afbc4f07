import { Controller } from '@nestjs/common';
import {
  BILLING_REFUND_CREATE_V1,
  BILLING_REFUND_LIST_V1,
  type CreateRefundRequestV1,
  type ListRefundsReplyV1,
  type ListRefundsRequestV1,
  type RefundReplyV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { RefundsService } from './refunds.service.js';

/** The refunds' RPC routes (libs/contracts/src/rpc/ledger.v1.ts). */
@Controller()
export class RefundsHandler {
  constructor(private readonly refunds: RefundsService) {}

  @OnRpc(BILLING_REFUND_CREATE_V1)
  create(request: CreateRefundRequestV1): Promise<RefundReplyV1> {
    return this.refunds.create(request);
  }

  @OnRpc(BILLING_REFUND_LIST_V1)
  list(request: ListRefundsRequestV1): Promise<ListRefundsReplyV1> {
    return this.refunds.list(request);
  }
}
