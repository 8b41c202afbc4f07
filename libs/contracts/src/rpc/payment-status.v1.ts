import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { SUBSCRIPTION_STATUSES, type SubscriptionStatus } from '../events/subscription.v1.js';
import { TRANSACTION_STATUSES, type TransactionStatus } from '../events/billing-transaction.v1.js';
import { IsCustomerId } from '../customer-id.js';
import { defineRpcRoute } from './rpc-route.js';

/**
 * The payment provider's status as billing sees it, with the ledger's counts
 * and revenue and the subscriptions service's count of active subscriptions
 * (docs/payments-status.md). The gateway answers it as `GET /api/v1/payment/status`.
 */

/** `sandbox` when the Stripe sandbox serves, `test` for an `sk_test_` key, `live` for `sk_live_`. */
export const PROVIDER_MODES = ['sandbox', 'test', 'live'] as const;
export type ProviderModeV1 = (typeof PROVIDER_MODES)[number];

/** The circuit breaker in front of Stripe writes: open, writes fail at once with a 503. */
export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
export type CircuitStateV1 = (typeof CIRCUIT_STATES)[number];

/**
 * Subscriptions counted as active: they bill (or will, after a trial) and
 * have not ended; `past_due` ones are still being collected.
 */
export const ACTIVE_SUBSCRIPTION_STATUSES = [
  'active',
  'trialing',
  'past_due',
] as const satisfies readonly SubscriptionStatus[];

export class ProviderHealthV1 {
  /** Whether Stripe answered the health call (`GET /v1/balance`). */
  @IsBoolean()
  reachable!: boolean;

  /** How long the health call took, answered or not, in milliseconds. */
  @IsNumber()
  @Min(0)
  latencyMs!: number;

  @IsIn(PROVIDER_MODES)
  mode!: ProviderModeV1;

  @IsIn(CIRCUIT_STATES)
  circuit!: CircuitStateV1;

  /** Why it is not reachable. */
  @IsOptional()
  @IsString()
  error!: string | null;
}

export class TransactionCountV1 {
  @IsIn(TRANSACTION_STATUSES)
  status!: TransactionStatus;

  @IsInt()
  @Min(0)
  count!: number;
}

/** One currency's revenue in the ledger, integer minor units. */
export class CurrencyRevenueV1 {
  @Matches(/^[a-z]{3}$/)
  currency!: string;

  /** Every charge that succeeded (refunded since or not): what was captured. */
  @IsInt()
  @Min(0)
  grossCents!: number;

  @IsInt()
  @Min(0)
  refundedCents!: number;

  /**
   * What lost disputes took of those charges: per charge, its lost disputes'
   * amount, at most what its refunds left of it (a refunded amount is not
   * taken off twice). A won dispute takes nothing.
   */
  @IsInt()
  @Min(0)
  disputedCents!: number;

  /** Stripe's fees of every dispute of those charges, won or lost (net of reinstatements). */
  @IsInt()
  disputeFeesCents!: number;

  /** gross − refunded − disputed − dispute fees. */
  @IsInt()
  netCents!: number;

  /** Charges that succeeded (refunded since or not). */
  @IsInt()
  @Min(0)
  transactionCount!: number;
}

export class PaymentStatusRequestV1 {
  /** Who asks (e.g. `gateway`), for the log. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  caller?: string;
}

export class PaymentStatusV1 {
  @ValidateNested()
  @Type(() => ProviderHealthV1)
  provider!: ProviderHealthV1;

  /** Every status of TRANSACTION_STATUSES, once, in that order (0 when none). */
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TransactionCountV1)
  transactionCounts!: TransactionCountV1[];

  /** Per currency with any succeeded charge, in alphabetical order. */
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CurrencyRevenueV1)
  revenue!: CurrencyRevenueV1[];

  /** Subscriptions in ACTIVE_SUBSCRIPTION_STATUSES; null when the subscriptions service did not answer. */
  @IsOptional()
  @IsInt()
  @Min(0)
  activeSubscriptions!: number | null;

  /** Why `activeSubscriptions` is null. */
  @IsOptional()
  @IsString()
  subscriptionsError!: string | null;

  @IsISO8601({ strict: true })
  checkedAt!: string;
}

/** Provider health, ledger counts and revenue, active subscriptions. Reads only; never 503 for Stripe. */
export const BILLING_PAYMENT_STATUS_V1 = defineRpcRoute({
  name: 'billing.payment_status.get.v1',
  service: 'billing',
  request: PaymentStatusRequestV1,
  reply: PaymentStatusV1,
});

export class SubscriptionCountV1 {
  @IsIn(SUBSCRIPTION_STATUSES)
  status!: SubscriptionStatus;

  @IsInt()
  @Min(0)
  count!: number;
}

export class CountSubscriptionsRequestV1 {
  /** Only this customer's subscriptions; all of them when absent. */
  @IsOptional()
  @IsCustomerId()
  customerId?: string;
}

export class CountSubscriptionsReplyV1 {
  /** Every status of SUBSCRIPTION_STATUSES, once, in that order (0 when none). */
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SubscriptionCountV1)
  counts!: SubscriptionCountV1[];

  /** Those in ACTIVE_SUBSCRIPTION_STATUSES. */
  @IsInt()
  @Min(0)
  active!: number;
}

/** The mirrored subscriptions counted by status (the subscriptions service's own table). */
export const SUBSCRIPTIONS_COUNT_V1 = defineRpcRoute({
  name: 'subscriptions.subscription.count.v1',
  service: 'subscriptions',
  request: CountSubscriptionsRequestV1,
  reply: CountSubscriptionsReplyV1,
});
