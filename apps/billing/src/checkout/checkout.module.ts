import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { CheckoutSessionEventsService } from './checkout-session-events.service.js';
import { CheckoutSessionLifecycleHandler } from './checkout-session-events.handler.js';
import { CheckoutHandler } from './checkout.handler.js';
import { CheckoutService } from './checkout.service.js';

/** Checkouts: billing's RPC, and the Checkout Session events that move them. */
@Module({
  imports: [CatalogModule],
  controllers: [CheckoutHandler, CheckoutSessionLifecycleHandler],
  providers: [CheckoutService, CheckoutSessionEventsService],
  exports: [CheckoutSessionEventsService],
})
export class CheckoutModule {}
