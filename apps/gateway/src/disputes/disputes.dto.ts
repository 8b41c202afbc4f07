import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  DISPUTE_STATUSES,
  IsCustomerId,
  type DisputeListQueryV1,
  type DisputeStatusV1,
  type FraudWarningListQueryV1,
  type SubmitDisputeEvidenceBodyV1,
} from '@aegis/contracts';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { ListQueryDto } from '../http/list.js';
import { EvidenceTextBody } from './dispute-evidence.js';

export class DisputeIdParams {
  @IsUUID('all', { message: 'id must be a dispute id (a UUID)' })
  id!: string;
}

export class ListDisputesQueryDto extends ListQueryDto implements DisputeListQueryV1 {
  @ApiPropertyOptional({ enum: DISPUTE_STATUSES, description: 'only disputes in this status' })
  @IsOptional()
  @IsIn(DISPUTE_STATUSES, { message: `status must be one of ${DISPUTE_STATUSES.join(', ')}` })
  status?: DisputeStatusV1;

  @ApiPropertyOptional({ example: 'cust_abc123', description: 'only this customer’s' })
  @IsOptional()
  @IsCustomerId()
  customer_id?: string;
}

export class ListFraudWarningsQueryDto extends ListQueryDto implements FraudWarningListQueryV1 {
  @ApiPropertyOptional({ example: 'cust_abc123', description: 'only this customer’s' })
  @IsOptional()
  @IsCustomerId()
  customer_id?: string;
}

/**
 * Stripe's text evidence fields, as Stripe names them, each optional; any
 * other field is refused (400 naming it). Stripe keeps what it was sent
 * before: a field left out keeps its earlier text.
 */
export class SubmitDisputeEvidenceDto implements SubmitDisputeEvidenceBodyV1 {
  @EvidenceTextBody('access_activity_log') access_activity_log?: string;
  @EvidenceTextBody('billing_address') billing_address?: string;
  @EvidenceTextBody('cancellation_policy_disclosure') cancellation_policy_disclosure?: string;
  @EvidenceTextBody('cancellation_rebuttal') cancellation_rebuttal?: string;
  @EvidenceTextBody('customer_email_address') customer_email_address?: string;
  @EvidenceTextBody('customer_name') customer_name?: string;
  @EvidenceTextBody('customer_purchase_ip') customer_purchase_ip?: string;
  @EvidenceTextBody('duplicate_charge_explanation') duplicate_charge_explanation?: string;
  @EvidenceTextBody('duplicate_charge_id') duplicate_charge_id?: string;
  @EvidenceTextBody('product_description') product_description?: string;
  @EvidenceTextBody('refund_policy_disclosure') refund_policy_disclosure?: string;
  @EvidenceTextBody('refund_refusal_explanation') refund_refusal_explanation?: string;
  @EvidenceTextBody('service_date') service_date?: string;
  @EvidenceTextBody('shipping_address') shipping_address?: string;
  @EvidenceTextBody('shipping_carrier') shipping_carrier?: string;
  @EvidenceTextBody('shipping_date') shipping_date?: string;
  @EvidenceTextBody('shipping_tracking_number') shipping_tracking_number?: string;
  @EvidenceTextBody('uncategorized_text') uncategorized_text?: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'true: submit the evidence to the bank now (final: Stripe takes one submission; the dispute goes under review); false or absent: only saved at Stripe, to change later',
  })
  @IsOptional()
  @IsBoolean({ message: 'submit must be true or false' })
  submit?: boolean;
}
