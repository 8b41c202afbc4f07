import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  BILLING_PERIOD_PATTERN,
  IsCustomerId,
  MAX_PLAN_PRICE_CENTS,
  MAX_TRIAL_DAYS,
  PLAN_BILLING_INTERVALS,
  PLAN_CHANGE_TIMINGS,
  PLAN_IDS,
  type CancelSubscriptionBodyV1,
  type ChangeSubscriptionBodyV1,
  type CreateSubscriptionBodyV1,
  type PauseSubscriptionBodyV1,
  type PlanBillingIntervalV1,
  type PlanIdV1,
} from '@aegis/contracts';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsUUID,
  Matches,
  Max,
  Min,
} from 'class-validator';

const PLAN_MESSAGE = `plan_id must be one of ${PLAN_IDS.join(', ')}`;
const INTERVAL_MESSAGE = `billing_interval must be one of ${PLAN_BILLING_INTERVALS.join(', ')}`;
const PRICE_DESCRIPTION =
  'the principal plan’s price per interval for this customer, minor units: required there, refused for every other plan; admin keys only';

export class SubscriptionIdParams {
  @IsUUID('all', { message: 'id must be a subscription id (a UUID)' })
  id!: string;
}

export class CreateSubscriptionDto implements CreateSubscriptionBodyV1 {
  @ApiProperty({ example: 'cust_abc123' })
  @IsCustomerId()
  customer_id!: string;

  @ApiProperty({ enum: PLAN_IDS, example: 'analyst' })
  @IsIn(PLAN_IDS, { message: PLAN_MESSAGE })
  plan_id!: PlanIdV1;

  @ApiProperty({ enum: PLAN_BILLING_INTERVALS })
  @IsIn(PLAN_BILLING_INTERVALS, { message: INTERVAL_MESSAGE })
  billing_interval!: PlanBillingIntervalV1;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_TRIAL_DAYS,
    description: 'days of free trial before the first charge (none without it)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_TRIAL_DAYS)
  trial_days?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PLAN_PRICE_CENTS,
    description: PRICE_DESCRIPTION,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PLAN_PRICE_CENTS)
  price_cents?: number;
}

export class ChangeSubscriptionDto implements ChangeSubscriptionBodyV1 {
  @ApiProperty({ enum: PLAN_IDS, example: 'lead' })
  @IsIn(PLAN_IDS, { message: PLAN_MESSAGE })
  plan_id!: PlanIdV1;

  @ApiProperty({
    enum: PLAN_CHANGE_TIMINGS,
    description:
      'now: Stripe prorates and invoices the difference at once; period_end: no proration, the new price from the next period',
  })
  @IsIn(PLAN_CHANGE_TIMINGS, { message: `when must be one of ${PLAN_CHANGE_TIMINGS.join(', ')}` })
  when!: 'now' | 'period_end';

  @ApiPropertyOptional({
    enum: PLAN_BILLING_INTERVALS,
    description: 'default: the subscription’s own interval',
  })
  @IsOptional()
  @IsIn(PLAN_BILLING_INTERVALS, { message: INTERVAL_MESSAGE })
  billing_interval?: PlanBillingIntervalV1;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PLAN_PRICE_CENTS,
    description: PRICE_DESCRIPTION,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PLAN_PRICE_CENTS)
  price_cents?: number;

  @ApiPropertyOptional({
    default: false,
    description: 'only Stripe’s proration for the change (its preview); nothing is changed',
  })
  @IsOptional()
  @IsBoolean()
  preview?: boolean;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'the instant the proration is computed for (default: now); a preview’s proration_date makes the change bill exactly what was previewed',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'proration_date must be an RFC 3339 time' })
  proration_date?: string;
}

export class CancelSubscriptionDto implements CancelSubscriptionBodyV1 {
  @ApiProperty({
    description:
      'true: the subscription runs to the end of its period, then ends; false: it ends now',
  })
  @IsBoolean()
  at_period_end!: boolean;
}

export class PauseSubscriptionDto implements PauseSubscriptionBodyV1 {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'when Stripe resumes collection by itself; absent: until resumed',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'resumes_at must be an RFC 3339 time' })
  resumes_at?: string;
}

export class EntitlementsQueryDto {
  @ApiPropertyOptional({
    example: '2026-03',
    description: 'a calendar month, YYYY-MM (UTC); default the current one',
  })
  @IsOptional()
  @Matches(BILLING_PERIOD_PATTERN, { message: 'billing_period must be YYYY-MM' })
  billing_period?: string;
}
