import { Module } from '@nestjs/common';
import { FailureAlertsModule } from '../failure-alerts/failure-alerts.module.js';
import { StripeEventIngestService } from './stripe-event-ingest.service.js';
import { StripeWebhookController } from './stripe-webhook.controller.js';
import { StripeWebhookVerifier } from './stripe-webhook-verifier.js';

@Module({
  imports: [FailureAlertsModule],
  controllers: [StripeWebhookController],
  providers: [StripeEventIngestService, StripeWebhookVerifier],
  exports: [StripeEventIngestService],
})
export class IngestModule {}
