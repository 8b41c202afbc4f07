import { Module } from '@nestjs/common';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import { PlansService } from '../plans/plans.service.js';
import { SubscriptionMirrorModule } from '../subscription-mirror/subscription-mirror.module.js';
import { SubscriptionCommandsHandler } from './subscription-commands.handler.js';
import { SubscriptionCommandsService } from './subscription-commands.service.js';

/** Plans, the subscription commands and entitlements. */
@Module({
  imports: [SubscriptionMirrorModule],
  controllers: [SubscriptionCommandsHandler],
  providers: [PlansService, SubscriptionCommandsService, EntitlementsService],
  exports: [SubscriptionCommandsService],
})
export class SubscriptionCommandsModule {}
