import Stripe from 'stripe';
import { CliError, EXIT_REFUSED, EXIT_UNREACHABLE, EXIT_USAGE } from '../cli-error.js';
import type { CliEnvironment } from '../environment.js';

/** Where `npm start` runs the Stripe sandbox. */
export const DEFAULT_STRIPE_API_URL = 'http://127.0.0.1:12111';
/** The sandbox takes any test-mode key. */
export const DEFAULT_STRIPE_SECRET_KEY = 'sk_test_aegis_sandbox';

/** Where `seed` and `trigger` reach Stripe for what only Stripe does (cards, paying). */
export interface StripeSettings {
  readonly url: URL;
  readonly secretKey: string;
}

function variable(variables: CliEnvironment['variables'], name: string): string | undefined {
  const value = variables[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * `STRIPE_API_URL` (default the sandbox of `npm start`) and `STRIPE_SECRET_KEY` (default a
 * sandbox key). A live key is refused: fake payments and disputes belong in test mode only.
 */
export function resolveStripeSettings(variables: CliEnvironment['variables']): StripeSettings {
  const rawUrl = variable(variables, 'STRIPE_API_URL') ?? DEFAULT_STRIPE_API_URL;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new CliError(`STRIPE_API_URL is not a URL: ${rawUrl}`, EXIT_USAGE);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`STRIPE_API_URL must be an http:// or https:// URL: ${rawUrl}`, EXIT_USAGE);
  const secretKey = variable(variables, 'STRIPE_SECRET_KEY') ?? DEFAULT_STRIPE_SECRET_KEY;
  if (!/^(sk|rk)_test_\w+$/.test(secretKey))
    throw new CliError(
      'STRIPE_SECRET_KEY must be a test-mode key (sk_test_…): seed and trigger make fake payments',
      EXIT_USAGE,
    );
  return { url, secretKey };
}

/** The official SDK pointed at the sandbox (or Stripe's test mode) as the services point theirs. */
export function stripeClientOf(settings: StripeSettings): Stripe {
  const { url } = settings;
  const https = url.protocol === 'https:';
  return new Stripe(settings.secretKey, {
    host: url.hostname,
    port: Number(url.port === '' ? (https ? 443 : 80) : url.port),
    protocol: https ? 'https' : 'http',
    maxNetworkRetries: 2,
    appInfo: { name: 'aegis-cli' },
  });
}

/** A Stripe SDK failure as the CLI reports it: unreachable (3) or refused (1). */
export async function atStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeConnectionError)
      throw new CliError(`cannot reach Stripe to ${what}: ${error.message}`, EXIT_UNREACHABLE);
    if (error instanceof Stripe.errors.StripeError)
      throw new CliError(`Stripe refused to ${what}: ${error.message}`, EXIT_REFUSED);
    throw error;
  }
}
