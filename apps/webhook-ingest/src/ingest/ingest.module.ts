import { Module } from '@nestjs/common';
import { StripeEventIngestService } from './stripe-event-ingest.service.js';
import { StripeWebhookController } from './stripe-webhook.controller.js';
import { StripeWebhookVerifier } from './stripe-webhook-verifier.js';

@Module({
  controllers: [StripeWebhookController],
  providers: [StripeEventIngestService, StripeWebhookVerifier],
  exports: [StripeEventIngestService],
})
export class IngestModule {}
