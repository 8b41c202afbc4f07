import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { StripeModule } from '@aegis/stripe';
import { DisputesEnv } from './config/disputes.env.js';
import { DisputesModule } from './disputes/disputes.module.js';
import { disputesStorage } from './disputes.storage.js';

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'disputes', env: DisputesEnv, storage: disputesStorage }),
    StripeModule.forRoot(),
    DisputesModule,
  ],
})
export class AppModule {}
