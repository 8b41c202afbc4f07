import { Module } from '@nestjs/common';
import { WebhookFanout } from '../webhooks/webhook-fanout.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';
import { DomainEventsHandler } from './domain-events.handler.js';

/**
 * Alerts and the consumed domain events: each event's alerts and its
 * outbound webhook deliveries, in its inbox transaction.
 */
@Module({
  controllers: [AlertsController, DomainEventsHandler],
  providers: [AlertsService, WebhookFanout],
  exports: [AlertsService, WebhookFanout],
})
export class AlertsModule {}
