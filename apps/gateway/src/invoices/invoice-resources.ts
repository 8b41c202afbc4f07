import { ApiProperty } from '@nestjs/swagger';
import {
  AGGREGATIONS,
  INVOICE_LINE_KINDS,
  INVOICE_RUN_STATUSES,
  INVOICE_STATUSES,
  type AggregationV1,
  type InvoiceLineKindV1,
  type InvoiceLineResourceV1,
  type InvoiceLineV1,
  type InvoiceResourceV1,
  type InvoiceRunFailureResourceV1,
  type InvoiceRunProgressV1,
  type InvoiceRunResourceV1,
  type InvoiceRunStatusV1,
  type InvoiceRunV1,
  type InvoiceStatusV1,
  type InvoiceV1,
} from '@aegis/contracts';

export class InvoiceLineResource implements InvoiceLineResourceV1 {
  @ApiProperty() id!: string;
  @ApiProperty({
    enum: INVOICE_LINE_KINDS,
    description: 'usage: the period’s own; late_usage: an earlier period’s late usage',
  })
  kind!: InvoiceLineKindV1;
  @ApiProperty() product_id!: string;
  @ApiProperty({
    example: '2026-03',
    description: 'the period whose usage the line prices (an earlier one for late_usage)',
  })
  billing_period!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: AGGREGATIONS }) aggregation!: AggregationV1;
  @ApiProperty({
    description: 'the value priced, exact decimal text (late_usage: the period’s whole value now)',
  })
  value!: string;
  @ApiProperty({ description: 'late_usage: the value billed before; "0" for usage' })
  previously_billed_value!: string;
  @ApiProperty({ description: 'the events this line bills (late_usage: the late ones)' })
  event_count!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  first_event_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_event_at!: string | null;
  @ApiProperty({
    format: 'date-time',
    description: 'every event of the period committed before this instant is priced',
  })
  usage_through!: string;
  @ApiProperty() pricing_version_id!: string;
  @ApiProperty({ description: 'minor units; negative only for a late_usage line that lowers it' })
  subtotal_cents!: number;
  @ApiProperty() discount_cents!: number;
  @ApiProperty({ description: 'subtotal_cents − discount_cents' }) amount_cents!: number;
  @ApiProperty({ type: String, nullable: true }) stripe_invoice_item_id!: string | null;
}

export class InvoiceResource implements InvoiceResourceV1 {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['invoice'] }) object!: 'invoice';
  @ApiProperty() customer_id!: string;
  @ApiProperty({ example: '2026-03' }) billing_period!: string;
  @ApiProperty({
    enum: INVOICE_STATUSES,
    description:
      'draft until finalized at Stripe, open awaiting payment, paid, payment_failed (Stripe retries), uncollectible, void',
  })
  status!: InvoiceStatusV1;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({ type: [InvoiceLineResource] }) lines!: InvoiceLineResource[];
  @ApiProperty({ description: 'minor units' }) subtotal_cents!: number;
  @ApiProperty() discount_cents!: number;
  @ApiProperty({ description: 'subtotal_cents − discount_cents, never below zero' })
  amount_due!: number;
  @ApiProperty() amount_paid!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['charge_automatically', 'send_invoice'],
    description: 'charge_automatically when the customer has a default payment method',
  })
  collection_method!: string | null;
  @ApiProperty({ type: String, nullable: true }) stripe_invoice_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) hosted_invoice_url!: string | null;
  @ApiProperty({ type: String, nullable: true }) invoice_pdf!: string | null;
  @ApiProperty({
    description: 'true while the Stripe side is not finished (a crash or an outage interrupted it)',
  })
  pending_stripe!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'why the last attempt to finish the Stripe side failed',
  })
  last_error!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finalized_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) paid_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class InvoiceList {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [InvoiceResource] }) data!: InvoiceResource[];
  @ApiProperty() has_more!: boolean;
}

class InvoiceRunProgress implements InvoiceRunProgressV1 {
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'customers to invoice; null until they have all been listed',
  })
  total!: number | null;
  @ApiProperty({ description: 'customers invoiced' }) done!: number;
  @ApiProperty({ description: 'customers whose invoice failed' }) failed!: number;
}

class InvoiceRunFailure implements InvoiceRunFailureResourceV1 {
  @ApiProperty() customer_id!: string;
  @ApiProperty() reason!: string;
}

export class InvoiceRunResource implements InvoiceRunResourceV1 {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['invoice_run'] }) object!: 'invoice_run';
  @ApiProperty({ example: '2026-03' }) billing_period!: string;
  @ApiProperty({ enum: INVOICE_RUN_STATUSES }) status!: InvoiceRunStatusV1;
  @ApiProperty({ type: InvoiceRunProgress }) progress!: InvoiceRunProgress;
  @ApiProperty({ type: [InvoiceRunFailure] }) failures!: InvoiceRunFailure[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completed_at!: string | null;
}

export function invoiceLineResourceOf(line: InvoiceLineV1): InvoiceLineResourceV1 {
  return {
    id: line.id,
    kind: line.kind,
    product_id: line.productId,
    billing_period: line.billingPeriod,
    description: line.description,
    aggregation: line.aggregation,
    value: line.value,
    previously_billed_value: line.previouslyBilledValue,
    event_count: line.eventCount,
    first_event_at: line.firstEventAt ?? null,
    last_event_at: line.lastEventAt ?? null,
    usage_through: line.usageThrough,
    pricing_version_id: line.pricingVersionId,
    subtotal_cents: line.subtotal,
    discount_cents: line.discount,
    amount_cents: line.amount,
    stripe_invoice_item_id: line.stripeInvoiceItemId ?? null,
  };
}

export function invoiceResourceOf(invoice: InvoiceV1): InvoiceResourceV1 {
  return {
    id: invoice.id,
    object: 'invoice',
    customer_id: invoice.customerId,
    billing_period: invoice.billingPeriod,
    status: invoice.status,
    currency: invoice.currency,
    lines: invoice.lines.map(invoiceLineResourceOf),
    subtotal_cents: invoice.subtotal,
    discount_cents: invoice.discount,
    amount_due: invoice.amountDue,
    amount_paid: invoice.amountPaid,
    collection_method: invoice.collectionMethod ?? null,
    stripe_invoice_id: invoice.stripeInvoiceId ?? null,
    hosted_invoice_url: invoice.hostedInvoiceUrl ?? null,
    invoice_pdf: invoice.invoicePdf ?? null,
    pending_stripe: invoice.pendingStripe,
    last_error: invoice.lastError ?? null,
    finalized_at: invoice.finalizedAt ?? null,
    paid_at: invoice.paidAt ?? null,
    created_at: invoice.createdAt,
  };
}

export function invoiceRunResourceOf(run: InvoiceRunV1): InvoiceRunResourceV1 {
  return {
    id: run.id,
    object: 'invoice_run',
    billing_period: run.billingPeriod,
    status: run.status,
    progress: { total: run.total ?? null, done: run.done, failed: run.failed },
    failures: run.failures.map((failure) => ({
      customer_id: failure.customerId,
      reason: failure.reason,
    })),
    created_at: run.createdAt,
    completed_at: run.completedAt ?? null,
  };
}
