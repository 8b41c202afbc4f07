import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { WebhookDeliveryWorker } from './webhook-delivery.worker.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookDeliveriesController, WebhookEndpointsController } from './webhooks.controller.js';

/** Outbound webhooks: the endpoints' routes and the delivery worker (docs/webhooks.md). */
@Module({
  imports: [AlertsModule],
  controllers: [WebhookEndpointsController, WebhookDeliveriesController],
  providers: [WebhookEndpointsService, WebhookDeliveryWorker],
})
export class WebhooksModule {}
