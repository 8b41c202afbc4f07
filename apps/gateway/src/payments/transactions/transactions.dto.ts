import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  DATE_PATTERN,
  IsCustomerId,
  IsMetadata,
  TRANSACTION_STATUSES,
  type RecordTransactionBodyV1,
  type TransactionListQueryV1,
  type TransactionStatusV1,
} from '@aegis/contracts';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ListQueryDto } from '../../http/list.js';

export class TransactionIdParams {
  @IsUUID('all', { message: 'id must be a transaction id (a UUID)' })
  id!: string;
}

export class ListTransactionsQueryDto extends ListQueryDto implements TransactionListQueryV1 {
  @ApiPropertyOptional({
    example: 'cust_abc123',
    description: 'only this customer’s; a customer key sees only its own customer’s anyway',
  })
  @IsOptional()
  @IsCustomerId()
  customer_id?: string;

  @ApiPropertyOptional({ enum: TRANSACTION_STATUSES })
  @IsOptional()
  @IsIn(TRANSACTION_STATUSES)
  status?: TransactionStatusV1;

  @ApiPropertyOptional({ example: '2026-03-01', description: 'made on or after (UTC)' })
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'start_date must be YYYY-MM-DD' })
  start_date?: string;

  @ApiPropertyOptional({ example: '2026-03-31', description: 'made on or before (UTC), inclusive' })
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'end_date must be YYYY-MM-DD' })
  end_date?: string;
}

export class RecordTransactionDto implements RecordTransactionBodyV1 {
  @ApiProperty({ example: 'cust_abc123' })
  @IsCustomerId()
  customer_id!: string;

  @ApiProperty({ example: 99_900, description: 'minor units of currency, above zero' })
  @IsInt()
  @Min(1)
  @Max(99_999_999_999)
  amount_cents!: number;

  @ApiProperty({ example: 'usd' })
  @Matches(/^[a-z]{3}$/, { message: 'currency must be a three-letter ISO code in lower case' })
  currency!: string;

  @ApiProperty({ example: 'Wire transfer for the March GEOINT report' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1_000)
  description!: string;

  @ApiPropertyOptional({ example: 'in_1Px…', description: 'the Stripe invoice it settles, if any' })
  @IsOptional()
  @Matches(/^in_\w+$/, { message: 'stripe_invoice_id must be a Stripe invoice id (in_…)' })
  stripe_invoice_id?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;
}
