import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  AEGIS_CUSTOMER_ID_KEY,
  IsCustomerId,
  IsMetadata,
  type CreateCustomerBodyV1,
  type CustomerResourceV1,
  type CustomerV1,
} from '@aegis/contracts';
import { IsEmail, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class CreateCustomerDto implements CreateCustomerBodyV1 {
  @ApiPropertyOptional({
    description: 'your own id of the customer; generated (cust_…) when absent',
    example: 'cust_abc123',
  })
  @IsOptional()
  @IsCustomerId()
  @Matches(/^(?!cus_)/, { message: 'id must not be a Stripe customer id (cus_…)' })
  id?: string;

  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(512)
  email!: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  name?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;
}

export class CustomerIdParams {
  @IsCustomerId()
  id!: string;
}

export class CustomerResource implements CustomerResourceV1 {
  @ApiProperty({ example: 'cust_abc123' }) id!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  metadata!: Record<string, string>;
  @ApiProperty({ example: 'cus_123' }) stripe_customer_id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

/** The operator's metadata: the key that names the customer's id on the Stripe side is ours, not theirs. */
function operatorMetadataOf(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata).filter(([key]) => key !== AEGIS_CUSTOMER_ID_KEY),
  );
}

export function customerResourceOf(customer: CustomerV1): CustomerResource {
  return {
    id: customer.customerId,
    email: customer.email,
    name: customer.name,
    metadata: operatorMetadataOf(customer.metadata),
    stripe_customer_id: customer.stripeCustomerId,
    created_at: customer.createdAt,
  };
}
