import Stripe from 'stripe';
import { DEFAULT_SANDBOX_API_URL, type StripeServiceEnv } from './stripe-env.js';

/** The key used with the sandbox, which accepts any test-mode key. */
export const SANDBOX_SECRET_KEY = 'sk_test_aegis_sandbox';

export interface StripeTarget {
  readonly key: string;
  /** Undefined: Stripe's own API. */
  readonly apiUrl: URL | undefined;
  readonly sandbox: boolean;
}

/** Which Stripe a service talks to: the sandbox without a key, Stripe (or `STRIPE_API_URL`) with one. */
export function stripeTargetOf(env: StripeServiceEnv): StripeTarget {
  if (env.STRIPE_SECRET_KEY === undefined) {
    return {
      key: SANDBOX_SECRET_KEY,
      apiUrl: new URL(env.STRIPE_API_URL ?? DEFAULT_SANDBOX_API_URL),
      sandbox: true,
    };
  }
  return {
    key: env.STRIPE_SECRET_KEY,
    apiUrl: env.STRIPE_API_URL === undefined ? undefined : new URL(env.STRIPE_API_URL),
    sandbox: false,
  };
}

/**
 * The one place a Stripe client is made: the official SDK, pointed at the
 * sandbox or at Stripe through its host/port/protocol options, with the SDK's
 * own retries (which reuse one idempotency key per request).
 */
export function createStripeClient(env: StripeServiceEnv): Stripe {
  const target = stripeTargetOf(env);
  const url = target.apiUrl;
  return new Stripe(target.key, {
    maxNetworkRetries: 2,
    timeout: env.STRIPE_TIMEOUT_MS,
    appInfo: { name: 'aegis-payments' },
    ...(url === undefined
      ? {}
      : {
          host: url.hostname,
          port: Number(url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : url.port),
          protocol: url.protocol === 'https:' ? 'https' : 'http',
        }),
  });
}
