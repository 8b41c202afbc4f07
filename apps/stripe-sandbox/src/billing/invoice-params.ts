import type { Params } from '../core/params.js';
import { invalidRequest } from '../core/stripe-error.js';

export const DAY_SECONDS = 24 * 60 * 60;
export const COLLECTION_METHODS = ['charge_automatically', 'send_invoice'] as const;
export type CollectionMethod = (typeof COLLECTION_METHODS)[number];
export const STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;

/** The parameters of `POST /v1/invoices`. */
export interface InvoiceCreateParams {
  readonly customerId: string;
  readonly autoAdvance: boolean | undefined;
  readonly collectionMethod: CollectionMethod;
  readonly daysUntilDue: number | undefined;
  readonly dueDate: number | undefined;
  readonly description: string | undefined;
  readonly metadata: Record<string, string> | null | undefined;
  readonly currency: string | undefined;
  readonly defaultPaymentMethod: string | undefined;
  readonly footer: string | undefined;
  readonly statementDescriptor: string | undefined;
  readonly subscriptionId: string | undefined;
  readonly pendingItems: 'include' | 'exclude';
}

/** The parameters of `POST /v1/invoices/:id`; null clears a field. */
export interface InvoiceUpdateParams {
  readonly autoAdvance: boolean | undefined;
  readonly collectionMethod: CollectionMethod | undefined;
  readonly daysUntilDue: number | undefined;
  readonly dueDate: number | undefined;
  readonly description: string | null | undefined;
  readonly metadata: Record<string, string> | null | undefined;
  readonly defaultPaymentMethod: string | null | undefined;
  readonly footer: string | null | undefined;
  readonly statementDescriptor: string | null | undefined;
}

export function checkDueDateRules(
  collectionMethod: string,
  daysUntilDue: number | undefined,
  dueDate: number | undefined,
): void {
  if (daysUntilDue !== undefined && dueDate !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: days_until_due, due_date.');
  }
  if (collectionMethod === 'charge_automatically' && daysUntilDue !== undefined) {
    throw invalidRequest(
      'The days_until_due parameter can only be set when collection_method is send_invoice.',
      'days_until_due',
    );
  }
  if (collectionMethod === 'charge_automatically' && dueDate !== undefined) {
    throw invalidRequest(
      'The due_date parameter can only be set when collection_method is send_invoice.',
      'due_date',
    );
  }
}

/** Reads and checks the parameters of `POST /v1/invoices`, before any invoice is looked at. */
export function parseInvoiceCreateParams(params: Params): InvoiceCreateParams {
  const customerId = params.requiredString('customer');
  const autoAdvance = params.boolean('auto_advance');
  const collectionMethod =
    params.oneOf('collection_method', COLLECTION_METHODS) ?? 'charge_automatically';
  const daysUntilDue = params.integer('days_until_due', { min: 0 });
  const dueDate = params.integer('due_date');
  const description = params.string('description');
  const metadata = params.metadata();
  const currency = params.string('currency')?.toLowerCase();
  const defaultPaymentMethod = params.string('default_payment_method');
  const footer = params.string('footer');
  const statementDescriptor = params.string('statement_descriptor');
  const subscriptionId = params.string('subscription');
  const pendingItems =
    params.oneOf('pending_invoice_items_behavior', ['include', 'exclude'] as const) ?? 'exclude';
  params.done();
  checkDueDateRules(collectionMethod, daysUntilDue, dueDate);
  if (collectionMethod === 'send_invoice' && daysUntilDue === undefined && dueDate === undefined) {
    throw invalidRequest(
      'Invoices with collection_method send_invoice need a due date: set days_until_due or due_date.',
      'days_until_due',
    );
  }
  return {
    customerId,
    autoAdvance,
    collectionMethod,
    daysUntilDue,
    dueDate,
    description,
    metadata,
    currency,
    defaultPaymentMethod,
    footer,
    statementDescriptor,
    subscriptionId,
    pendingItems,
  };
}

/**
 * Reads the parameters of `POST /v1/invoices/:id`; which of them the invoice's
 * status allows is checked against the invoice.
 */
export function parseInvoiceUpdateParams(params: Params): InvoiceUpdateParams {
  const autoAdvance = params.boolean('auto_advance');
  const collectionMethod = params.oneOf('collection_method', COLLECTION_METHODS);
  const daysUntilDue = params.integer('days_until_due', { min: 0 });
  const dueDate = params.integer('due_date');
  const description = params.nullableString('description');
  const metadata = params.metadata();
  const defaultPaymentMethod = params.nullableString('default_payment_method');
  const footer = params.nullableString('footer');
  const statementDescriptor = params.nullableString('statement_descriptor');
  params.done();
  return {
    autoAdvance,
    collectionMethod,
    daysUntilDue,
    dueDate,
    description,
    metadata,
    defaultPaymentMethod,
    footer,
    statementDescriptor,
  };
}
