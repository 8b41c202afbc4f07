import { runFastifyService } from '@aegis/platform';
import { AppModule } from './app.module.js';

// On Fastify: its cost per request is a fraction of Express's, and every webhook pays it.
// Stripe's events run to a few hundred KiB at most; 1 MiB leaves room and bounds the cost of a bad request.
runFastifyService(AppModule, 'webhook-ingest', {
  bodyLimitBytes: 1024 * 1024,
  rawJsonBodyPaths: ['/webhooks/stripe'],
});
