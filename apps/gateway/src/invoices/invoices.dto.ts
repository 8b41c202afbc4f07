import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  BILLING_PERIOD_PATTERN,
  CLAIM_ID_PATTERN,
  INVOICE_STATUSES,
  IsCustomerId,
  type CreateInvoiceBodyV1,
  type InvoiceListQueryV1,
  type InvoiceStatusV1,
  type StartInvoiceRunBodyV1,
} from '@aegis/contracts';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { ListQueryDto } from '../http/list.js';

const PERIOD_MESSAGE = 'billing_period must be YYYY-MM (a calendar month, UTC)';

/** billing's invoice ids are their usage claims' ids; a run's id has the same alphabet. */
const ID_MESSAGE = 'id must be letters, digits, "_" or "-", at most 64 characters';

export class InvoiceIdParams {
  @Matches(CLAIM_ID_PATTERN, { message: ID_MESSAGE })
  id!: string;
}

export class InvoiceRunIdParams {
  @Matches(CLAIM_ID_PATTERN, { message: ID_MESSAGE })
  id!: string;
}

export class CreateInvoiceDto implements CreateInvoiceBodyV1 {
  @ApiProperty({ example: 'cust_abc123' })
  @IsCustomerId()
  customer_id!: string;

  @ApiProperty({ example: '2026-03', description: 'a calendar month, YYYY-MM (UTC)' })
  @Matches(BILLING_PERIOD_PATTERN, { message: PERIOD_MESSAGE })
  billing_period!: string;

  @ApiPropertyOptional({
    default: true,
    description:
      'false: leave the invoice a draft (at Stripe too) until POST /api/v1/invoices/{id}/finalize',
  })
  @IsOptional()
  @IsBoolean()
  auto_finalize?: boolean;
}

export class ListInvoicesQueryDto extends ListQueryDto implements InvoiceListQueryV1 {
  @ApiPropertyOptional({
    example: 'cust_abc123',
    description: 'only this customer’s; a customer key sees only its own customer’s anyway',
  })
  @IsOptional()
  @IsCustomerId()
  customer_id?: string;

  @ApiPropertyOptional({ example: '2026-03' })
  @IsOptional()
  @Matches(BILLING_PERIOD_PATTERN, { message: PERIOD_MESSAGE })
  billing_period?: string;

  @ApiPropertyOptional({ enum: INVOICE_STATUSES })
  @IsOptional()
  @IsIn(INVOICE_STATUSES)
  status?: InvoiceStatusV1;
}

export class StartInvoiceRunDto implements StartInvoiceRunBodyV1 {
  @ApiProperty({ example: '2026-03', description: 'a calendar month, YYYY-MM (UTC)' })
  @Matches(BILLING_PERIOD_PATTERN, { message: PERIOD_MESSAGE })
  billing_period!: string;
}
