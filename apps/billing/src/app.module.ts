import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { BillingEnv } from './config/billing.env.js';
import { billingStorage } from './billing.storage.js';

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'billing', env: BillingEnv, storage: billingStorage }),
  ],
})
export class AppModule {}
