import { Global, Module, type DynamicModule } from '@nestjs/common';
import { SERVICE_ENV } from '@aegis/config';
import { METRICS_REGISTRY } from '@aegis/observability';
import { Counter, type Registry } from 'prom-client';
import type Stripe from 'stripe';
import { createStripeClient, stripeTargetOf } from './stripe-client.js';
import { PAYMENT_PROVIDER, type ProviderMode } from './payment-provider.js';
import { StripeBreaker } from './stripe-breaker.js';
import { toStripeDomainError } from './stripe-errors.js';
import type { StripeServiceEnv } from './stripe-env.js';
import { RateLimiter } from './rate-limiter.js';
import {
  STRIPE_BREAKER,
  STRIPE_CLIENT,
  STRIPE_MODE,
  STRIPE_RATE_LIMITED,
  STRIPE_REFETCH_LIMITER,
  STRIPE_WRITE_LIMITER,
  StripeProvider,
} from './stripe-provider.js';

/** `sandbox` when the sandbox serves, else `test` or `live` by the key. */
export function modeOf(env: StripeServiceEnv): ProviderMode {
  const target = stripeTargetOf(env);
  if (target.sandbox) return 'sandbox';
  return target.key.includes('_live_') ? 'live' : 'test';
}

/** Gives a service its Stripe client and `StripeProvider`; its env class must extend StripeServiceEnv. */
@Global()
@Module({})
export class StripeModule {
  static forRoot(): DynamicModule {
    return {
      module: StripeModule,
      providers: [
        {
          provide: STRIPE_CLIENT,
          inject: [SERVICE_ENV],
          useFactory: (env: StripeServiceEnv) => createStripeClient(env),
        },
        {
          provide: STRIPE_REFETCH_LIMITER,
          inject: [SERVICE_ENV],
          useFactory: (env: StripeServiceEnv) => new RateLimiter(env.STRIPE_REFETCH_PER_SECOND),
        },
        {
          provide: STRIPE_WRITE_LIMITER,
          inject: [SERVICE_ENV],
          useFactory: (env: StripeServiceEnv) => new RateLimiter(env.STRIPE_WRITES_PER_SECOND),
        },
        {
          provide: STRIPE_BREAKER,
          inject: [SERVICE_ENV, STRIPE_CLIENT],
          useFactory: (env: StripeServiceEnv, client: Stripe) =>
            new StripeBreaker(
              {
                errorThresholdPercentage: env.STRIPE_BREAKER_ERROR_PERCENT,
                volumeThreshold: env.STRIPE_BREAKER_VOLUME_THRESHOLD,
                resetTimeoutMs: env.STRIPE_BREAKER_RESET_MS,
                rollingCountTimeoutMs: env.STRIPE_BREAKER_WINDOW_MS,
              },
              // Half open, the breaker asks Stripe by itself: the health check's cheap call.
              async () => {
                try {
                  await client.balance.retrieve({}, { maxNetworkRetries: 0 });
                } catch (error) {
                  throw toStripeDomainError(error);
                }
              },
            ),
        },
        {
          provide: STRIPE_RATE_LIMITED,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) =>
            new Counter({
              name: 'aegis_stripe_rate_limited_total',
              help: 'Answers of 429 from Stripe to our calls (each is backed off and retried)',
              registers: [registry],
            }),
        },
        {
          provide: STRIPE_MODE,
          inject: [SERVICE_ENV],
          useFactory: (env: StripeServiceEnv): ProviderMode => modeOf(env),
        },
        StripeProvider,
        { provide: PAYMENT_PROVIDER, useExisting: StripeProvider },
      ],
      exports: [STRIPE_CLIENT, StripeProvider, PAYMENT_PROVIDER],
    };
  }
}
