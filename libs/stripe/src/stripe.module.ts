import { Global, Module, type DynamicModule } from '@nestjs/common';
import { SERVICE_ENV } from '@aegis/config';
import { createStripeClient } from './stripe-client.js';
import type { StripeServiceEnv } from './stripe-env.js';
import { RateLimiter } from './rate-limiter.js';
import {
  STRIPE_CLIENT,
  STRIPE_REFETCH_LIMITER,
  STRIPE_WRITE_LIMITER,
  StripeProvider,
} from './stripe-provider.js';

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
        StripeProvider,
      ],
      exports: [STRIPE_CLIENT, StripeProvider],
    };
  }
}
