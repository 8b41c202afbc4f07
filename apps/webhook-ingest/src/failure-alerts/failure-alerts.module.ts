import { Logger, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { WebhookIngestEnv } from '../config/webhook-ingest.env.js';
import { ApplyDeadlineSweeper } from './apply-deadline.sweeper.js';
import { BadSignatureCounter, FAILURE_ALERTS_REDIS } from './bad-signature-counter.js';

function connect(env: WebhookIngestEnv): Redis {
  const client = new Redis(env.REDIS_URL, {
    connectionName: 'aegis-webhook-ingest',
    // Counting must not hold a webhook's answer while Redis is away.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  const logger = new Logger('Redis');
  let reported = false;
  client.on('error', (error: Error) => {
    if (!reported)
      logger.warn(`Redis unavailable, bad signatures are not counted: ${error.message}`);
    reported = true;
  });
  client.on('ready', () => {
    reported = false;
  });
  return client;
}

/** Webhook-processing failures that webhook-ingest raises (docs/webhook-ingest.md, "Failure alerts"). */
@Module({
  providers: [
    { provide: FAILURE_ALERTS_REDIS, inject: [WebhookIngestEnv], useFactory: connect },
    BadSignatureCounter,
    ApplyDeadlineSweeper,
  ],
  exports: [BadSignatureCounter, ApplyDeadlineSweeper],
})
export class FailureAlertsModule {}
