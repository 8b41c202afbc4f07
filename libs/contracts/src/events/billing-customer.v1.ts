import { IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { IsCustomerId } from '../customer-id.js';

export const BILLING_CUSTOMER_CREATED_V1 = 'billing.customer.created.v1';

/** A customer registered in billing, through the registry or first seen from Stripe. */
export class BillingCustomerV1 {
  @IsCustomerId()
  customerId!: string;

  @Matches(/^cus_\w+$/)
  stripeCustomerId!: string;

  @IsOptional()
  @IsString()
  email!: string | null;

  @IsOptional()
  @IsString()
  name!: string | null;

  @IsISO8601({ strict: true })
  createdAt!: string;
}
