import { portProperty } from '@aegis/config';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { PRODUCT_ID_PATTERN } from '@aegis/contracts';
import { StripeServiceEnv } from '@aegis/stripe';

const MAX_PRICE_CENTS = 99_999_999;

/**
 * What a lost dispute does to its customer (docs/subscriptions.md, "Lost
 * disputes"): `flag` records the `lost_dispute` flag only;
 * `cancel_at_period_end` also cancels the customer's live subscription at the
 * end of its period, at Stripe.
 */
export const LOST_DISPUTE_POLICIES = ['flag', 'cancel_at_period_end'] as const;
export type LostDisputePolicy = (typeof LOST_DISPUTE_POLICIES)[number];

/** A plan's configurable amounts, in minor units of PLAN_CURRENCY. */
function PriceCents(): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(0)(target, key);
    Max(MAX_PRICE_CENTS)(target, key);
  };
}

export class SubscriptionsEnv extends StripeServiceEnv {
  @portProperty()
  PORT: number = 3004;

  /** The currency of every plan's prices. */
  @Matches(/^[a-z]{3}$/)
  PLAN_CURRENCY: string = 'usd';

  /** Yearly prices (default: ten months of the monthly price). */
  @PriceCents()
  PLAN_JUNIOR_YEARLY_PRICE_CENTS: number = 999_000;

  @PriceCents()
  PLAN_ANALYST_YEARLY_PRICE_CENTS: number = 1_999_000;

  @PriceCents()
  PLAN_LEAD_YEARLY_PRICE_CENTS: number = 4_999_000;

  /** The price of an hour above a plan's included hours. */
  @PriceCents()
  PLAN_JUNIOR_OVERAGE_PRICE_CENTS: number = 2_500;

  @PriceCents()
  PLAN_ANALYST_OVERAGE_PRICE_CENTS: number = 2_500;

  @PriceCents()
  PLAN_LEAD_OVERAGE_PRICE_CENTS: number = 3_125;

  /** The usage product whose metered value is the hours an agent worked (aggregation `sum`). */
  @Matches(PRODUCT_ID_PATTERN)
  PLAN_HOURS_PRODUCT_ID: string = 'agent_hours';

  /**
   * How long a start may wait for Stripe's answer before another request for
   * the same customer looks at Stripe and finishes or releases it.
   */
  @IsInt()
  @Min(1)
  @Max(3_600)
  SUBSCRIPTION_START_LEASE_SECONDS: number = 60;

  /** What a lost dispute does to its customer: `flag` (default) or `cancel_at_period_end`. */
  @IsIn(LOST_DISPUTE_POLICIES)
  LOST_DISPUTE_POLICY: LostDisputePolicy = 'flag';
}
