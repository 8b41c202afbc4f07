import type Stripe from 'stripe';

export type StripeErrorType =
  'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

/** The body Stripe sends with every error: `{ error: { type, code, message, param, … } }`. */
export interface StripeErrorBody {
  error: {
    type: StripeErrorType;
    message: string;
    code?: string;
    decline_code?: string;
    param?: string;
    doc_url?: string;
    request_log_url?: string;
    charge?: string;
    payment_intent?: Stripe.PaymentIntent;
    payment_method?: Stripe.PaymentMethod;
  };
}

/**
 * An error answered in Stripe's own shape and status, so the SDK raises the
 * same error class it would raise against Stripe (StripeInvalidRequestError,
 * StripeCardError, StripeIdempotencyError, …).
 */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody['error'],
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }

  toJSON(): StripeErrorBody {
    return { error: this.body };
  }
}

const DOCS = 'https://stripe.com/docs/error-codes';

export function parameterMissing(param: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'parameter_missing',
    param,
    message: `Missing required param: ${param}.`,
    doc_url: `${DOCS}/parameter-missing`,
  });
}

export function parameterUnknown(param: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'parameter_unknown',
    param,
    message: `Received unknown parameter: ${param}`,
    doc_url: `${DOCS}/parameter-unknown`,
  });
}

/** Stripe's answer to `''` for a parameter that cannot be unset. */
export function parameterInvalidEmpty(param: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'parameter_invalid_empty',
    param,
    message: `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    doc_url: `${DOCS}/parameter-invalid-empty`,
  });
}

export function parameterInvalid(
  param: string,
  message: string,
  code = 'parameter_invalid_string',
): StripeApiError {
  return new StripeApiError(400, { type: 'invalid_request_error', code, param, message });
}

export function invalidRequest(message: string, param?: string, code?: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    message,
    ...(param === undefined ? {} : { param }),
    ...(code === undefined ? {} : { code }),
  });
}

/** `No such customer: 'cus_…'` (404), naming the parameter that carried the id. */
export function resourceMissing(noun: string, id: string, param = 'id'): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param,
    message: `No such ${noun}: '${id}'`,
    doc_url: `${DOCS}/resource-missing`,
  });
}

/**
 * Stripe's answer beyond its rate limit: HTTP 429, an `invalid_request_error`
 * with code `rate_limit` (the shape and test-mode wording Stripe sends).
 */
export function rateLimited(): StripeApiError {
  return new StripeApiError(429, {
    type: 'invalid_request_error',
    code: 'rate_limit',
    message:
      'Testmode request rate limit exceeded, the rate limits in testmode are lower than livemode. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
    doc_url: `${DOCS}/rate-limit`,
  });
}

export function unknownRoute(method: string, path: string): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  });
}
