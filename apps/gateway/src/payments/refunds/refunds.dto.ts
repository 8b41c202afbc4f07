import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsCustomerId,
  REFUND_REASONS,
  REFUND_STATUSES,
  type CreateRefundBodyV1,
  type RefundListQueryV1,
  type RefundReasonV1,
  type RefundStatusV1,
} from '@aegis/contracts';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { ListQueryDto } from '../../http/list.js';

export class CreateRefundDto implements CreateRefundBodyV1 {
  @ApiProperty({ format: 'uuid', description: 'the ledger transaction to refund' })
  @IsUUID('all', { message: 'transaction_id must be a transaction id (a UUID)' })
  transaction_id!: string;

  @ApiPropertyOptional({
    example: 1_500,
    description: 'minor units; absent: the whole of what is left of the charge',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(99_999_999_999)
  amount_cents?: number;

  @ApiPropertyOptional({ enum: REFUND_REASONS })
  @IsOptional()
  @IsIn(REFUND_REASONS)
  reason?: RefundReasonV1;
}

export class ListRefundsQueryDto extends ListQueryDto implements RefundListQueryV1 {
  @ApiPropertyOptional({
    example: 'cust_abc123',
    description: 'only this customer’s; a customer key sees only its own customer’s anyway',
  })
  @IsOptional()
  @IsCustomerId()
  customer_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'transaction_id must be a transaction id (a UUID)' })
  transaction_id?: string;

  @ApiPropertyOptional({ enum: REFUND_STATUSES })
  @IsOptional()
  @IsIn(REFUND_STATUSES)
  status?: RefundStatusV1;
}
