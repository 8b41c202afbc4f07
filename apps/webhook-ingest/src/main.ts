import { runService } from '@aegis/platform';
import { AppModule } from './app.module.js';

// Stripe's events run to a few hundred KiB at most; 1 MiB leaves room and bounds the cost of a bad request.
runService(AppModule, 'webhook-ingest', {
  jsonBodyLimit: '1mb',
  rawJsonBodyPaths: [{ path: '/webhooks/stripe', limit: '1mb' }],
});
