import { DomainException } from '@aegis/platform';

export enum BillingExceptionCode {
  /** The customer id is registered to another Stripe customer. */
  CUSTOMER_ID_TAKEN = 'customer_id_taken',
  /** No customer is registered under the id. */
  CUSTOMER_NOT_FOUND = 'customer_not_found',
  /** No product of the catalogue has the id. */
  PRODUCT_NOT_FOUND = 'product_not_found',
  /** A product of the catalogue has the id already. */
  PRODUCT_ID_TAKEN = 'product_id_taken',
  /** The product is archived: it can no longer be priced, quoted or discounted. */
  PRODUCT_ARCHIVED = 'product_archived',
  /** A product's fields break the catalogue's rules (`fields` names them). */
  INVALID_PRODUCT = 'invalid_product',
  /** A pricing model or its effective time breaks the rules (`fields` names them). */
  INVALID_PRICING = 'invalid_pricing',
  /** The product has a pricing version effective from that very instant. */
  PRICING_VERSION_EXISTS = 'pricing_version_exists',
  /** A discount breaks the rules (`fields` names them). */
  INVALID_DISCOUNT = 'invalid_discount',
  /** A quote that cannot be priced (`fields` names why). */
  INVALID_QUOTE = 'invalid_quote',
  /** No invoice has the id (or, for a customer's caller, none of its own). */
  INVOICE_NOT_FOUND = 'invoice_not_found',
  INVOICE_RUN_NOT_FOUND = 'invoice_run_not_found',
  /** An invoice request breaks the rules (`fields` names them). */
  INVALID_INVOICE = 'invalid_invoice',
  /** The invoice's state forbids the change (voiding a paid invoice, finalizing a void one). */
  INVOICE_STATE = 'invoice_state',
  /** The period's usage is priced in more than one currency: a Stripe invoice has one. */
  MIXED_CURRENCIES = 'mixed_currencies',
  /** A product with usage in the period had no pricing then (or is unknown to the catalogue). */
  NO_PRICING = 'no_pricing',
}

const STATUS: Readonly<Record<BillingExceptionCode, number>> = {
  [BillingExceptionCode.CUSTOMER_ID_TAKEN]: 409,
  [BillingExceptionCode.CUSTOMER_NOT_FOUND]: 404,
  [BillingExceptionCode.PRODUCT_NOT_FOUND]: 404,
  [BillingExceptionCode.PRODUCT_ID_TAKEN]: 409,
  [BillingExceptionCode.PRODUCT_ARCHIVED]: 409,
  [BillingExceptionCode.INVALID_PRODUCT]: 400,
  [BillingExceptionCode.INVALID_PRICING]: 400,
  [BillingExceptionCode.PRICING_VERSION_EXISTS]: 409,
  [BillingExceptionCode.INVALID_DISCOUNT]: 400,
  [BillingExceptionCode.INVALID_QUOTE]: 400,
  [BillingExceptionCode.INVOICE_NOT_FOUND]: 404,
  [BillingExceptionCode.INVOICE_RUN_NOT_FOUND]: 404,
  [BillingExceptionCode.INVALID_INVOICE]: 400,
  [BillingExceptionCode.INVOICE_STATE]: 409,
  [BillingExceptionCode.MIXED_CURRENCIES]: 409,
  [BillingExceptionCode.NO_PRICING]: 409,
};

/** A field at fault, named as the public API names it (`aggregation_field`, `pricing.tiers[1].up_to`). */
export interface FieldFault {
  readonly field: string;
  readonly message: string;
}

/** An expected failure of billing, answered over HTTP and RPC with its code and status. */
export class BillingException extends DomainException<BillingExceptionCode> {
  constructor(code: BillingExceptionCode, message: string, fields: readonly FieldFault[] = []) {
    super(code, STATUS[code], message, fields);
  }

  /** Bad input: `code` with every field at fault, and a message that names them all. */
  static invalid(code: BillingExceptionCode, fields: readonly FieldFault[]): BillingException {
    const message = fields.map(({ field, message }) => `${field}: ${message}`).join('; ');
    return new BillingException(code, message, fields);
  }
}

/** What a failure says, for a stored `last_error` or a run's failure reason. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
