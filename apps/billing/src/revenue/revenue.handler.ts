import { Controller } from '@nestjs/common';
import {
  BILLING_METRICS_V1,
  BILLING_REVENUE_BY_PRODUCT_V1,
  BILLING_REVENUE_TIMESERIES_V1,
  BILLING_REVENUE_V1,
  type MetricsReplyV1,
  type MetricsRequestV1,
  type RevenueByProductReplyV1,
  type RevenueRangeRequestV1,
  type RevenueReplyV1,
  type RevenueTimeseriesReplyV1,
  type RevenueTimeseriesRequestV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { RevenueService } from './revenue.service.js';

/** Revenue and metrics over RPC: what `GET /api/v1/revenue…` and `GET /api/v1/metrics` answer. */
@Controller()
export class RevenueHandler {
  constructor(private readonly revenue: RevenueService) {}

  @OnRpc(BILLING_REVENUE_V1)
  totals(request: RevenueRangeRequestV1): Promise<RevenueReplyV1> {
    return this.revenue.revenue(request);
  }

  @OnRpc(BILLING_REVENUE_BY_PRODUCT_V1)
  byProduct(request: RevenueRangeRequestV1): Promise<RevenueByProductReplyV1> {
    return this.revenue.byProduct(request);
  }

  @OnRpc(BILLING_REVENUE_TIMESERIES_V1)
  timeseries(request: RevenueTimeseriesRequestV1): Promise<RevenueTimeseriesReplyV1> {
    return this.revenue.timeseries(request);
  }

  @OnRpc(BILLING_METRICS_V1)
  metrics(request: MetricsRequestV1): Promise<MetricsReplyV1> {
    return this.revenue.metrics(request);
  }
}
