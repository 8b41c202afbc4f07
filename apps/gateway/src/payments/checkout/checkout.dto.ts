import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CHECKOUT_ID_PATTERN,
  CHECKOUT_MODES,
  IsCustomerId,
  IsProductId,
  MAX_CHECKOUT_QUANTITY,
  PLAN_BILLING_INTERVALS,
  type CheckoutModeV1,
  type PlanBillingIntervalV1,
  type CreateCheckoutBodyV1,
} from '@aegis/contracts';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class CheckoutIdParams {
  @Matches(CHECKOUT_ID_PATTERN, { message: 'id must be a checkout id (chk_…)' })
  id!: string;
}

export class CreateCheckoutDto implements CreateCheckoutBodyV1 {
  @ApiProperty({ example: 'cust_abc123' })
  @IsCustomerId()
  customer_id!: string;

  @ApiProperty({
    enum: CHECKOUT_MODES,
    description: 'payment: an outcome product’s quantity; subscription: a plan',
  })
  @IsIn(CHECKOUT_MODES, { message: 'mode must be payment or subscription' })
  mode!: CheckoutModeV1;

  @ApiPropertyOptional({
    example: 'geoint_report',
    description: 'mode=payment: an outcome product',
  })
  @IsOptional()
  @IsProductId()
  product_id?: string;

  @ApiPropertyOptional({
    example: 'junior',
    description:
      'mode=subscription: a plan (junior, analyst, lead; principal is priced per customer: create its subscription directly), or any recurring price of the catalogue by its product id or Stripe Price id (price_…)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/, {
    message: 'plan_id must be a product id or a Stripe Price id',
  })
  plan_id?: string;

  @ApiPropertyOptional({
    enum: PLAN_BILLING_INTERVALS,
    default: 'monthly',
    description: 'mode=subscription with a plan: the interval it is billed at',
  })
  @IsOptional()
  @IsIn(PLAN_BILLING_INTERVALS, { message: 'billing_interval must be monthly or yearly' })
  billing_interval?: PlanBillingIntervalV1;

  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: MAX_CHECKOUT_QUANTITY })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_CHECKOUT_QUANTITY)
  quantity?: number;

  @ApiPropertyOptional({
    description:
      'where Stripe sends the buyer after paying ({CHECKOUT_SESSION_ID} is replaced by the session id); default PAYMENT_SUCCESS_URL, else the bundled /payment/success page; must be on an allowed host',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  success_url?: string;

  @ApiPropertyOptional({
    description:
      'where the hosted page’s “back” leads; default PAYMENT_CANCEL_URL, else the bundled /payment/cancel page; must be on an allowed host',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  cancel_url?: string;
}
