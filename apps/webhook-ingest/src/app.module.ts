import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { StripeModule } from '@aegis/stripe';
import { BackfillModule } from './backfill/backfill.module.js';
import { WebhookIngestEnv } from './config/webhook-ingest.env.js';
import { IngestModule } from './ingest/ingest.module.js';
import { ReceiptsModule } from './receipts/receipts.module.js';
import { ReplayModule } from './replay/replay.module.js';
import { webhookIngestStorage } from './webhook-ingest.storage.js';

@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'webhook-ingest',
      env: WebhookIngestEnv,
      storage: webhookIngestStorage,
    }),
    StripeModule.forRoot(),
    IngestModule,
    ReceiptsModule,
    ReplayModule,
    BackfillModule,
  ],
})
export class AppModule {}
