import Stripe from 'stripe';

/**
 * The official SDK pointed at a Stripe sandbox on this machine, as the
 * services' own client is when STRIPE_SECRET_KEY is unset. `options` may add
 * e.g. `maxNetworkRetries`.
 */
export function sandboxStripe(
  port: number,
  key = 'sk_test_aegis',
  options: Stripe.StripeConfig = {},
): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port, protocol: 'http', ...options });
}
