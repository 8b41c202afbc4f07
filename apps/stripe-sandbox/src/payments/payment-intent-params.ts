import type Stripe from 'stripe';
import type { Params } from '../core/params.js';
import { invalidRequest, parameterInvalid } from '../core/stripe-error.js';
import { statementDescriptorSuffixProblem } from './card-charges.js';

export const CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'] as const;
const SETUP_FUTURE_USAGES = ['off_session', 'on_session'] as const;
export const CANCELLATION_REASONS = [
  'abandoned',
  'duplicate',
  'fraudulent',
  'requested_by_customer',
] as const;

export function readStatementDescriptors(params: Params): string | null | undefined {
  if (params.string('statement_descriptor') !== undefined) {
    throw parameterInvalid(
      'statement_descriptor',
      'The `statement_descriptor` parameter is not supported for the `card` payment method type. Please use `statement_descriptor_suffix` instead.',
    );
  }
  const suffix = params.nullableString('statement_descriptor_suffix');
  const problem =
    suffix === undefined || suffix === null ? null : statementDescriptorSuffixProblem(suffix);
  if (problem !== null) throw parameterInvalid('statement_descriptor_suffix', problem);
  return suffix;
}

/**
 * `allowed_payment_method_types` (this API version's name; the older
 * `payment_method_types` is accepted too): cards are the only type the
 * sandbox takes.
 */
export function readPaymentMethodTypes(
  params: Params,
): Stripe.PaymentIntent.AllowedPaymentMethodType[] | undefined {
  const allowed = params.strings('allowed_payment_method_types');
  const legacy = params.strings('payment_method_types');
  if (allowed !== undefined && legacy !== undefined) {
    throw invalidRequest(
      'You may only specify one of these parameters: allowed_payment_method_types, payment_method_types.',
    );
  }
  const name = allowed === undefined ? 'payment_method_types' : 'allowed_payment_method_types';
  const types = allowed ?? legacy;
  for (const [index, type] of (types ?? []).entries()) {
    if (type !== 'card') {
      throw parameterInvalid(
        `${name}[${index}]`,
        `The payment method type "${type}" is invalid. The Stripe sandbox accepts card payments only.`,
      );
    }
  }
  if (types?.length === 0) throw parameterInvalid(name, `${name} must not be empty.`);
  return types === undefined ? undefined : ['card'];
}

export function readSetupFutureUsage(
  params: Params,
): Stripe.PaymentIntent.SetupFutureUsage | null | undefined {
  if (params.has('setup_future_usage') && params.nullableString('setup_future_usage') === null) {
    return null;
  }
  return params.oneOf('setup_future_usage', SETUP_FUTURE_USAGES);
}

/** `off_session`: `true`/`false`, or the kind of off-session payment (`one_off`, `recurring`). */
export function readOffSession(params: Params): boolean | undefined {
  const value = params.oneOf('off_session', ['true', 'false', 'one_off', 'recurring']);
  return value === undefined ? undefined : value !== 'false';
}
