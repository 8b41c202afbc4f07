import { Module } from '@nestjs/common';
import { StripeEventsController } from './stripe-events.controller.js';

@Module({ controllers: [StripeEventsController] })
export class StripeEventsModule {}
