import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { StripeSandboxEnv } from './config/stripe-sandbox.env.js';
import { UnknownRouteController } from './core/unknown-route.controller.js';
import { BalanceModule } from './balance/balance.module.js';
import { BillingModule } from './billing/billing.module.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { CheckoutModule } from './checkout/checkout.module.js';
import { CustomersModule } from './customers/customers.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { PaymentMethodsModule } from './payment-methods/payment-methods.module.js';
import { PaymentsModule } from './payments/payments.module.js';
import { SubscriptionsModule } from './subscriptions/subscriptions.module.js';
import { SandboxCoreModule } from './sandbox-core.module.js';

/** The catch-all for unknown `/v1` paths; imported last so every real route matches first. */
@Module({ controllers: [UnknownRouteController] })
class UnknownRouteModule {}

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'stripe-sandbox', env: StripeSandboxEnv }),
    SandboxCoreModule,
    PaymentMethodsModule,
    CustomersModule,
    CatalogModule,
    PaymentsModule,
    BillingModule,
    SubscriptionsModule,
    CheckoutModule,
    DashboardModule,
    BalanceModule,
    UnknownRouteModule,
  ],
})
export class AppModule {}
