import { Global, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ApiKeyGuard } from './core/api-key.guard.js';
import { PublicUrl } from './core/public-url.js';
import { RateLimitMiddleware } from './core/rate-limit.js';
import { ApiRequestMiddleware } from './core/request-context.js';
import { StripeRequestInterceptor } from './core/stripe-request.interceptor.js';
import { EventRecorder } from './events/event-recorder.js';
import { EventsController } from './events/events.controller.js';
import { Retention } from './events/retention.js';
import { SandboxClock } from './store/sandbox-clock.js';
import { SandboxStore } from './store/sandbox-store.js';
import { StorePersistence } from './store/store-persistence.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { WebhookEndpointsController } from './webhooks/webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhooks/webhook-endpoints.service.js';

/** What every part of the sandbox uses: the store, its clock and persistence, events, webhooks and its public URL. */
@Global()
@Module({
  controllers: [EventsController, WebhookEndpointsController],
  providers: [
    SandboxStore,
    SandboxClock,
    StorePersistence,
    EventRecorder,
    Retention,
    WebhookEndpointsService,
    WebhookDispatcher,
    ApiKeyGuard,
    StripeRequestInterceptor,
    PublicUrl,
  ],
  exports: [
    SandboxStore,
    SandboxClock,
    StorePersistence,
    EventRecorder,
    StripeRequestInterceptor,
    PublicUrl,
  ],
})
export class SandboxCoreModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // The request id first, so a request refused by the rate limit is answered with one too.
    consumer.apply(ApiRequestMiddleware, RateLimitMiddleware).forRoutes('v1/*path');
  }
}
