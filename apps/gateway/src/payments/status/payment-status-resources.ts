import { ApiProperty } from '@nestjs/swagger';
import {
  CIRCUIT_STATES,
  PROVIDER_MODES,
  TRANSACTION_STATUSES,
  type CircuitStateV1,
  type CurrencyRevenueResourceV1,
  type PaymentStatusResourceV1,
  type PaymentStatusV1,
  type ProviderModeV1,
} from '@aegis/contracts';

export class CurrencyRevenueResource implements CurrencyRevenueResourceV1 {
  @ApiProperty({ description: 'every succeeded charge, refunded since or not (minor units)' })
  gross_cents!: number;
  @ApiProperty() refunded_cents!: number;
  @ApiProperty({
    description:
      'what lost disputes took: per charge, its lost disputes’ amount, at most what its refunds left of it',
  })
  disputed_cents!: number;
  @ApiProperty({
    description: 'Stripe’s fees of every dispute, won or lost (net of reinstatements)',
  })
  dispute_fees_cents!: number;
  @ApiProperty({
    description: 'gross_cents − refunded_cents − disputed_cents − dispute_fees_cents',
  })
  net_cents!: number;
  @ApiProperty({ description: 'succeeded charges, refunded since or not' })
  transaction_count!: number;
}

export class TransactionCountsResource {
  @ApiProperty() total!: number;
  @ApiProperty({
    description: `one count per status (${TRANSACTION_STATUSES.join(', ')}), 0 included`,
    additionalProperties: { type: 'integer' },
    example: { succeeded: 12, refunded: 1 },
  })
  by_status!: Record<string, number>;
}

export class PaymentStatusResource implements PaymentStatusResourceV1 {
  @ApiProperty({ enum: ['payment_status'] }) object!: 'payment_status';
  @ApiProperty({ enum: ['stripe'] }) provider!: 'stripe';
  @ApiProperty({ description: 'whether Stripe answered the health call (GET /v1/balance) now' })
  reachable!: boolean;
  @ApiProperty({ description: 'how long the health call took, answered or not' })
  latency_ms!: number;
  @ApiProperty({
    enum: PROVIDER_MODES,
    description: 'sandbox: the Stripe sandbox serves; test: an sk_test_ key; live: an sk_live_ key',
  })
  mode!: ProviderModeV1;
  @ApiProperty({
    enum: CIRCUIT_STATES,
    description:
      'the circuit breaker in front of Stripe writes: open, writes answer 503 at once; half_open, the next write tries Stripe',
  })
  circuit!: CircuitStateV1;
  @ApiProperty({ type: String, nullable: true, description: 'why Stripe is not reachable' })
  provider_error!: string | null;
  @ApiProperty({ type: TransactionCountsResource }) transactions!: TransactionCountsResource;
  @ApiProperty({
    description: 'by currency (lower case)',
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/CurrencyRevenueResource' },
  })
  revenue!: Record<string, CurrencyRevenueResource>;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'active, trialing and past-due subscriptions; null when the subscriptions service did not answer',
  })
  active_subscriptions!: number | null;
  @ApiProperty({ type: String, nullable: true }) subscriptions_error!: string | null;
  @ApiProperty({ format: 'date-time' }) checked_at!: string;
}

export function paymentStatusResourceOf(status: PaymentStatusV1): PaymentStatusResourceV1 {
  const byStatus = Object.fromEntries(
    status.transactionCounts.map(({ status: name, count }) => [name, count]),
  );
  return {
    object: 'payment_status',
    provider: 'stripe',
    reachable: status.provider.reachable,
    latency_ms: status.provider.latencyMs,
    mode: status.provider.mode,
    circuit: status.provider.circuit,
    provider_error: status.provider.error,
    transactions: {
      total: status.transactionCounts.reduce((sum, { count }) => sum + count, 0),
      by_status: byStatus,
    },
    revenue: Object.fromEntries(
      status.revenue.map((entry) => [
        entry.currency,
        {
          gross_cents: entry.grossCents,
          refunded_cents: entry.refundedCents,
          disputed_cents: entry.disputedCents,
          dispute_fees_cents: entry.disputeFeesCents,
          net_cents: entry.netCents,
          transaction_count: entry.transactionCount,
        },
      ]),
    ),
    active_subscriptions: status.activeSubscriptions,
    subscriptions_error: status.subscriptionsError,
    checked_at: status.checkedAt,
  };
}
