import { Module } from '@nestjs/common';
import { SubscriptionCommandsModule } from '../subscription-commands/subscription-commands.module.js';
import { DisputeEventsHandler } from './dispute-events.handler.js';
import { LostDisputePolicyService } from './lost-dispute-policy.service.js';

/** Flags on customers (a lost dispute) and the policy that follows a lost dispute. */
@Module({
  imports: [SubscriptionCommandsModule],
  controllers: [DisputeEventsHandler],
  providers: [LostDisputePolicyService],
})
export class CustomerFlagsModule {}
