import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsCustomerId } from '../customer-id.js';
import { IsMetadata } from '../metadata.js';
import { defineRpcRoute } from './rpc-route.js';

export class GetOrCreateCustomerRequestV1 {
  /** The operator's id of the customer; generated (`cust_<random>`) when omitted. */
  @IsOptional()
  @IsCustomerId()
  // `cus_…` ids belong to Stripe customers made outside Aegis, registered under their Stripe id.
  @Matches(/^(?!cus_)/, { message: 'customerId must not be a Stripe customer id (cus_…)' })
  customerId?: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(512)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  name?: string;

  /** Kept on the Stripe customer too, beside `aegis_customer_id`. */
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;
}

export class CustomerV1 {
  @IsCustomerId()
  customerId!: string;

  @IsString()
  stripeCustomerId!: string;

  @IsOptional()
  @IsString()
  email!: string | null;

  @IsOptional()
  @IsString()
  name!: string | null;

  @IsObject()
  metadata!: Record<string, string>;

  /** When billing registered the customer (RFC 3339, UTC). */
  @IsISO8601({ strict: true })
  createdAt!: string;
}

export class GetOrCreateCustomerReplyV1 {
  @ValidateNested()
  @Type(() => CustomerV1)
  customer!: CustomerV1;

  /** False when the customer was registered already: the call changed nothing. */
  @IsBoolean()
  created!: boolean;
}

/**
 * Billing's customer registry: returns the customer with this id, or registers
 * it, creating its Stripe customer exactly once (an idempotency key derived from
 * the id) with `metadata.aegis_customer_id`.
 */
export const BILLING_CUSTOMER_GET_OR_CREATE_V1 = defineRpcRoute({
  name: 'billing.customer.get_or_create.v1',
  service: 'billing',
  request: GetOrCreateCustomerRequestV1,
  reply: GetOrCreateCustomerReplyV1,
});
