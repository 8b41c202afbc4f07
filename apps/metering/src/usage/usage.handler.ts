import { Controller } from '@nestjs/common';
import {
  METERING_USAGE_CLAIM_V1,
  METERING_USAGE_CUSTOMERS_V1,
  METERING_USAGE_PERIOD_V1,
  METERING_USAGE_QUERY_V1,
  METERING_USAGE_RECORD_V1,
  type ClaimUsageReplyV1,
  type ClaimUsageRequestV1,
  type RecordUsageReplyV1,
  type RecordUsageRequestV1,
  type UsageCustomersReplyV1,
  type UsageCustomersRequestV1,
  type UsagePeriodReplyV1,
  type UsagePeriodRequestV1,
  type UsageQueryReplyV1,
  type UsageQueryRequestV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { UsageClaims } from './usage-claims.js';
import { UsageReader } from './usage-reader.js';
import { UsageService } from './usage.service.js';

/** metering's usage RPC routes (libs/contracts/src/rpc/usage.v1.ts, usage-claims.v1.ts). */
@Controller()
export class UsageHandler {
  constructor(
    private readonly usage: UsageService,
    private readonly reader: UsageReader,
    private readonly claims: UsageClaims,
  ) {}

  @OnRpc(METERING_USAGE_RECORD_V1)
  record(request: RecordUsageRequestV1): Promise<RecordUsageReplyV1> {
    return this.usage.record(request);
  }

  @OnRpc(METERING_USAGE_QUERY_V1)
  query(request: UsageQueryRequestV1): Promise<UsageQueryReplyV1> {
    return this.reader.query(request);
  }

  @OnRpc(METERING_USAGE_PERIOD_V1)
  period(request: UsagePeriodRequestV1): Promise<UsagePeriodReplyV1> {
    return this.reader.period(request);
  }

  @OnRpc(METERING_USAGE_CLAIM_V1)
  claim(request: ClaimUsageRequestV1): Promise<ClaimUsageReplyV1> {
    return this.claims.claim(request);
  }

  @OnRpc(METERING_USAGE_CUSTOMERS_V1)
  customers(request: UsageCustomersRequestV1): Promise<UsageCustomersReplyV1> {
    return this.claims.customers(request);
  }
}
