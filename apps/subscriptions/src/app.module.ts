import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { SubscriptionsEnv } from './config/subscriptions.env.js';
import { subscriptionsStorage } from './subscriptions.storage.js';

@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'subscriptions',
      env: SubscriptionsEnv,
      storage: subscriptionsStorage,
    }),
  ],
})
export class AppModule {}
