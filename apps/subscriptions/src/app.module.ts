import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { StripeModule } from '@aegis/stripe';
import { SubscriptionsEnv } from './config/subscriptions.env.js';
import { CustomerFlagsModule } from './customer-flags/customer-flags.module.js';
import { SubscriptionCommandsModule } from './subscription-commands/subscription-commands.module.js';
import { SubscriptionCountsModule } from './subscription-counts/subscription-counts.module.js';
import { SubscriptionMirrorModule } from './subscription-mirror/subscription-mirror.module.js';
import { subscriptionsStorage } from './subscriptions.storage.js';

@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'subscriptions',
      env: SubscriptionsEnv,
      storage: subscriptionsStorage,
    }),
    StripeModule.forRoot(),
    SubscriptionMirrorModule,
    SubscriptionCountsModule,
    SubscriptionCommandsModule,
    CustomerFlagsModule,
  ],
})
export class AppModule {}
