import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { AGGREGATIONS, IsProductId, type Aggregation } from '../catalog.js';
import { IsCustomerId } from '../customer-id.js';
import { PageReplyV1, PageRequestV1 } from './paging.js';
import { defineRpcRoute } from './rpc-route.js';
import { BILLING_PERIOD_PATTERN } from './usage.v1.js';

/**
 * billing's invoices from metered usage over RPC (docs/invoicing.md).
 * Expected failures: `invoice_not_found` and `invoice_run_not_found` (404),
 * `customer_not_found` (404), `invalid_invoice` (400, with the fields at fault),
 * `invoice_state` (409: e.g. voiding a paid invoice), `mixed_currencies` (409),
 * `no_pricing` (409: a product had no pricing version in force), and Stripe's
 * refusals (502) or absence (503).
 */

/**
 * Ours, mirroring Stripe's: `draft` until finalized at Stripe, `open` awaiting
 * payment, `paid`, `payment_failed` (open, a payment attempt failed; Stripe
 * retries), `uncollectible`, `void`. An invoice with nothing to pay is `paid`
 * at once and never sent to Stripe (as Stripe marks a zero invoice paid).
 */
export const INVOICE_STATUSES = [
  'draft',
  'open',
  'paid',
  'payment_failed',
  'uncollectible',
  'void',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** `usage`: the period's own usage; `late_usage`: an adjustment for an earlier period's late usage. */
export const INVOICE_LINE_KINDS = ['usage', 'late_usage'] as const;
export type InvoiceLineKind = (typeof INVOICE_LINE_KINDS)[number];

export const INVOICE_RUN_STATUSES = ['running', 'completed'] as const;
export type InvoiceRunStatus = (typeof INVOICE_RUN_STATUSES)[number];

export class InvoiceLineV1 {
  @IsString()
  id!: string;

  @IsIn(INVOICE_LINE_KINDS)
  kind!: InvoiceLineKind;

  @IsProductId()
  productId!: string;

  /** The period whose usage the line prices (an earlier one for `late_usage`). */
  @Matches(BILLING_PERIOD_PATTERN)
  billingPeriod!: string;

  @IsString()
  description!: string;

  @IsIn(AGGREGATIONS)
  aggregation!: Aggregation;

  /** The period's value priced (exact decimal text): for `late_usage`, the period's whole value now. */
  @IsString()
  value!: string;

  /** For `late_usage`: the value billed before; `'0'` for `usage`. */
  @IsString()
  previouslyBilledValue!: string;

  /** Events this line bills (for `late_usage`, the late ones). */
  @IsInt()
  @Min(0)
  eventCount!: number;

  @IsOptional()
  @IsISO8601({ strict: true })
  firstEventAt!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  lastEventAt!: string | null;

  /** Every event of the period committed before this instant is priced. */
  @IsISO8601({ strict: true })
  usageThrough!: string;

  @IsString()
  pricingVersionId!: string;

  /** Minor units; negative only for a `late_usage` line that lowers a `latest` value. */
  @IsInt()
  subtotal!: number;

  @IsInt()
  discount!: number;

  /** subtotal − discount. */
  @IsInt()
  amount!: number;

  @IsOptional()
  @IsString()
  stripeInvoiceItemId!: string | null;
}

export class InvoiceV1 {
  @IsString()
  id!: string;

  @IsCustomerId()
  customerId!: string;

  @Matches(BILLING_PERIOD_PATTERN)
  billingPeriod!: string;

  @IsIn(INVOICE_STATUSES)
  status!: InvoiceStatus;

  @IsString()
  currency!: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => InvoiceLineV1)
  lines!: InvoiceLineV1[];

  @IsInt()
  subtotal!: number;

  @IsInt()
  discount!: number;

  /** subtotal − discount, never below zero. */
  @IsInt()
  @Min(0)
  amountDue!: number;

  @IsInt()
  @Min(0)
  amountPaid!: number;

  /** `charge_automatically` (a default payment method) or `send_invoice`. */
  @IsOptional()
  @IsString()
  collectionMethod!: string | null;

  @IsOptional()
  @IsString()
  stripeInvoiceId!: string | null;

  @IsOptional()
  @IsString()
  hostedInvoiceUrl!: string | null;

  @IsOptional()
  @IsString()
  invoicePdf!: string | null;

  /** True while the Stripe side is not finished (a crash or an outage interrupted it). */
  @IsBoolean()
  pendingStripe!: boolean;

  /** Why the last attempt to finish the Stripe side failed, if it did. */
  @IsOptional()
  @IsString()
  lastError!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  finalizedAt!: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  paidAt!: string | null;

  @IsISO8601({ strict: true })
  createdAt!: string;
}

export class CreateInvoiceRequestV1 {
  @IsCustomerId()
  customerId!: string;

  @Matches(BILLING_PERIOD_PATTERN, { message: 'billingPeriod must be YYYY-MM' })
  billingPeriod!: string;

  /** false: leave it a draft (at Stripe too) until `finalize`. Default true. */
  @IsOptional()
  @IsBoolean()
  autoFinalize?: boolean;
}

export class InvoiceReplyV1 {
  @ValidateNested()
  @Type(() => InvoiceV1)
  invoice!: InvoiceV1;
}

export class CreateInvoiceReplyV1 extends InvoiceReplyV1 {
  /** false: the period's invoice already existed and is returned. */
  @IsBoolean()
  created!: boolean;
}

export class InvoiceRefV1 {
  @IsString()
  invoiceId!: string;

  /** With a customer key: the caller's customer; another's invoice is not found. */
  @IsOptional()
  @IsCustomerId()
  customerId?: string;
}

export class ListInvoicesRequestV1 extends PageRequestV1 {
  @IsOptional()
  @IsCustomerId()
  customerId?: string;

  @IsOptional()
  @Matches(BILLING_PERIOD_PATTERN, { message: 'billingPeriod must be YYYY-MM' })
  billingPeriod?: string;

  @IsOptional()
  @IsIn(INVOICE_STATUSES)
  status?: InvoiceStatus;
}

export class ListInvoicesReplyV1 extends PageReplyV1 {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => InvoiceV1)
  invoices!: InvoiceV1[];
}

export class InvoiceRunFailureV1 {
  @IsCustomerId()
  customerId!: string;

  @IsString()
  reason!: string;
}

export class InvoiceRunV1 {
  @IsString()
  id!: string;

  @Matches(BILLING_PERIOD_PATTERN)
  billingPeriod!: string;

  @IsIn(INVOICE_RUN_STATUSES)
  status!: InvoiceRunStatus;

  /** Customers to invoice; null until they have all been listed. */
  @IsOptional()
  @IsInt()
  total!: number | null;

  @IsInt()
  @Min(0)
  done!: number;

  @IsInt()
  @Min(0)
  failed!: number;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => InvoiceRunFailureV1)
  failures!: InvoiceRunFailureV1[];

  @IsISO8601({ strict: true })
  createdAt!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  completedAt!: string | null;
}

export class StartInvoiceRunRequestV1 {
  @Matches(BILLING_PERIOD_PATTERN, { message: 'billingPeriod must be YYYY-MM' })
  billingPeriod!: string;
}

export class InvoiceRunRefV1 {
  @IsString()
  runId!: string;
}

export class InvoiceRunReplyV1 {
  @ValidateNested()
  @Type(() => InvoiceRunV1)
  run!: InvoiceRunV1;

  /** false: a run of the period was already running and is returned. */
  @IsBoolean()
  created!: boolean;
}

/** Gets or creates the customer's invoice for the period (one per customer and period). */
export const BILLING_INVOICE_CREATE_V1 = defineRpcRoute({
  name: 'billing.invoice.create.v1',
  service: 'billing',
  request: CreateInvoiceRequestV1,
  reply: CreateInvoiceReplyV1,
});

export const BILLING_INVOICE_GET_V1 = defineRpcRoute({
  name: 'billing.invoice.get.v1',
  service: 'billing',
  request: InvoiceRefV1,
  reply: InvoiceReplyV1,
});

/** Newest first. */
export const BILLING_INVOICE_LIST_V1 = defineRpcRoute({
  name: 'billing.invoice.list.v1',
  service: 'billing',
  request: ListInvoicesRequestV1,
  reply: ListInvoicesReplyV1,
});

/** Finalizes a draft at Stripe and collects it (or finishes an interrupted Stripe side). */
export const BILLING_INVOICE_FINALIZE_V1 = defineRpcRoute({
  name: 'billing.invoice.finalize.v1',
  service: 'billing',
  request: InvoiceRefV1,
  reply: InvoiceReplyV1,
});

/** Voids an open invoice (deletes a Stripe draft); a paid one is `invoice_state` (409). */
export const BILLING_INVOICE_VOID_V1 = defineRpcRoute({
  name: 'billing.invoice.void.v1',
  service: 'billing',
  request: InvoiceRefV1,
  reply: InvoiceReplyV1,
});

/** Starts an invoice run for the period, or returns the one already running. */
export const BILLING_INVOICE_RUN_START_V1 = defineRpcRoute({
  name: 'billing.invoice_run.start.v1',
  service: 'billing',
  request: StartInvoiceRunRequestV1,
  reply: InvoiceRunReplyV1,
});

export const BILLING_INVOICE_RUN_GET_V1 = defineRpcRoute({
  name: 'billing.invoice_run.get.v1',
  service: 'billing',
  request: InvoiceRunRefV1,
  reply: InvoiceRunReplyV1,
});
