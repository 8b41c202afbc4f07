import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { AlertsModule } from './alerts/alerts.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { GatewayEnv } from './config/gateway.env.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DisputesModule } from './disputes/disputes.module.js';
import { gatewayStorage } from './gateway.storage.js';
import { InvoicesModule } from './invoices/invoices.module.js';
import { PaymentStatusModule } from './payments/status/payment-status.module.js';
import { CheckoutModule } from './payments/checkout/checkout.module.js';
import { RefundsModule } from './payments/refunds/refunds.module.js';
import { TransactionsModule } from './payments/transactions/transactions.module.js';
import { ProxyModule } from './proxy/proxy.module.js';
import { RedisModule, RedisReadiness } from './redis/redis.module.js';
import { RevenueModule } from './revenue/revenue.module.js';
import { StripeEventsModule } from './stripe-events/stripe-events.module.js';
import { SubscriptionsModule } from './subscriptions/subscriptions.module.js';
import { UsageModule } from './usage/usage.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'gateway',
      env: GatewayEnv,
      storage: gatewayStorage,
      readiness: [RedisReadiness],
    }),
    RedisModule,
    ApiKeysModule,
    DashboardModule,
    ProxyModule,
    StripeEventsModule,
    CatalogModule,
    UsageModule,
    InvoicesModule,
    PaymentStatusModule,
    CheckoutModule,
    TransactionsModule,
    RefundsModule,
    SubscriptionsModule,
    RevenueModule,
    DisputesModule,
    AlertsModule,
    WebhooksModule,
  ],
})
export class AppModule {}
