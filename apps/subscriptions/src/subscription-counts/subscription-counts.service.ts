import { Injectable } from '@nestjs/common';
import {
  ACTIVE_SUBSCRIPTION_STATUSES,
  SUBSCRIPTION_STATUSES,
  type CountSubscriptionsReplyV1,
  type CountSubscriptionsRequestV1,
  type SubscriptionStatus,
} from '@aegis/contracts';
import { DataSource } from 'typeorm';
import { Subscription } from '../subscription-mirror/entities/subscription.entity.js';

/** The mirrored subscriptions counted by status, for billing's payment status. */
@Injectable()
export class SubscriptionCountsService {
  constructor(private readonly dataSource: DataSource) {}

  async count(request: CountSubscriptionsRequestV1): Promise<CountSubscriptionsReplyV1> {
    const query = this.dataSource.manager
      .createQueryBuilder(Subscription, 'subscription')
      .select('subscription.status', 'status')
      .addSelect('count(*)::int', 'count')
      .groupBy('subscription.status');
    if (request.customerId !== undefined)
      query.where('subscription.customerId = :customerId', { customerId: request.customerId });
    const rows = await query.getRawMany<{ status: SubscriptionStatus; count: number }>();
    const byStatus = new Map(rows.map((row) => [row.status, row.count]));
    const counts = SUBSCRIPTION_STATUSES.map((status) => ({
      status,
      count: byStatus.get(status) ?? 0,
    }));
    const active = ACTIVE_SUBSCRIPTION_STATUSES.reduce(
      (sum, status) => sum + (byStatus.get(status) ?? 0),
      0,
    );
    return { counts, active };
  }
}
