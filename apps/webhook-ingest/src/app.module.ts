import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { WebhookIngestEnv } from './config/webhook-ingest.env.js';
import { webhookIngestStorage } from './webhook-ingest.storage.js';

@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'webhook-ingest',
      env: WebhookIngestEnv,
      storage: webhookIngestStorage,
    }),
  ],
})
export class AppModule {}
