import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  DISPUTE_TEXT_EVIDENCE_FIELDS,
  type DisputeEvidenceFieldV1,
  type DisputeEvidenceResourceV1,
  type DisputeEvidenceV1,
} from '@aegis/contracts';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Stripe's limit on one text evidence field. */
export const MAX_EVIDENCE_FIELD_LENGTH = 20_000;

/** The public API's evidence fields: the RPC's, Stripe's names (evidenceResourceOf checks the other way). */
export const DISPUTE_EVIDENCE_FIELDS: readonly DisputeEvidenceFieldV1[] =
  DISPUTE_TEXT_EVIDENCE_FIELDS;

/** What each field is for, as Stripe describes it (shortened), for the OpenAPI document. */
const DESCRIPTIONS: Readonly<Record<DisputeEvidenceFieldV1, string>> = {
  access_activity_log:
    'server or activity logs showing proof that the customer accessed or downloaded the purchased digital product',
  billing_address: 'the billing address provided by the customer',
  cancellation_policy_disclosure:
    'how and when the customer was shown the cancellation policy before purchasing',
  cancellation_rebuttal: 'why the customer’s subscription was not canceled',
  customer_email_address: 'the email address of the customer',
  customer_name: 'the name of the customer',
  customer_purchase_ip: 'the IP address the customer used when making the purchase',
  duplicate_charge_explanation:
    'why two seemingly duplicate charges are distinct (reason duplicate)',
  duplicate_charge_id: 'the Stripe id of the other, seemingly duplicate charge',
  product_description: 'a description of the product or service sold',
  refund_policy_disclosure: 'how the customer was shown the refund policy before purchasing',
  refund_refusal_explanation: 'why the customer is not entitled to a refund',
  service_date: 'the date the customer received or began receiving the service',
  shipping_address: 'the address the physical product was shipped to',
  shipping_carrier: 'the delivery service that shipped the physical product',
  shipping_date: 'the date the physical product began its route to the shipping address',
  shipping_tracking_number: 'the tracking number of the shipment',
  uncategorized_text:
    'any other evidence or statement (Aegis sends no files: their text goes here)',
};

/** A field of an evidence resource: Stripe's text, or null. */
export function EvidenceTextResource(field: DisputeEvidenceFieldV1): PropertyDecorator {
  return ApiProperty({ type: String, nullable: true, description: DESCRIPTIONS[field] });
}

/** A field of the evidence body: optional text of at most 20 000 characters. */
export function EvidenceTextBody(field: DisputeEvidenceFieldV1): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      maxLength: MAX_EVIDENCE_FIELD_LENGTH,
      description: DESCRIPTIONS[field],
    }),
    IsOptional(),
    IsString({ message: `${field} must be text` }),
    MaxLength(MAX_EVIDENCE_FIELD_LENGTH, {
      message: `${field} must be at most ${MAX_EVIDENCE_FIELD_LENGTH} characters`,
    }),
  );
}

/** The given fields of a body, as the RPC takes them (the same names). */
export function evidenceOf(
  body: Readonly<Partial<Record<DisputeEvidenceFieldV1, string>>>,
): DisputeEvidenceV1 {
  return Object.fromEntries(
    DISPUTE_EVIDENCE_FIELDS.flatMap((field) => {
      const value = body[field];
      return value === undefined ? [] : [[field, value]];
    }),
  );
}

/**
 * Evidence as the RPC holds it (a field left out when empty), with every
 * public field: null when absent. Reading each public field from the RPC's
 * evidence keeps the two lists of fields the same.
 */
export function evidenceResourceOf(
  evidence: DisputeEvidenceV1 | undefined,
): DisputeEvidenceResourceV1 {
  const text = (field: DisputeEvidenceFieldV1): string | null => evidence?.[field] ?? null;
  return {
    access_activity_log: text('access_activity_log'),
    billing_address: text('billing_address'),
    cancellation_policy_disclosure: text('cancellation_policy_disclosure'),
    cancellation_rebuttal: text('cancellation_rebuttal'),
    customer_email_address: text('customer_email_address'),
    customer_name: text('customer_name'),
    customer_purchase_ip: text('customer_purchase_ip'),
    duplicate_charge_explanation: text('duplicate_charge_explanation'),
    duplicate_charge_id: text('duplicate_charge_id'),
    product_description: text('product_description'),
    refund_policy_disclosure: text('refund_policy_disclosure'),
    refund_refusal_explanation: text('refund_refusal_explanation'),
    service_date: text('service_date'),
    shipping_address: text('shipping_address'),
    shipping_carrier: text('shipping_carrier'),
    shipping_date: text('shipping_date'),
    shipping_tracking_number: text('shipping_tracking_number'),
    uncategorized_text: text('uncategorized_text'),
  };
}
