import type { ServiceStorage } from '@aegis/platform';
import { CustomerDiscount } from './catalog/entities/customer-discount.entity.js';
import { CheckoutSession } from './checkout/entities/checkout-session.entity.js';
import { PricingVersion } from './catalog/entities/pricing-version.entity.js';
import { Product } from './catalog/entities/product.entity.js';
import { Customer } from './customers/entities/customer.entity.js';
import { BilledUsage } from './invoices/entities/billed-usage.entity.js';
import { InvoiceLine } from './invoices/entities/invoice-line.entity.js';
import { InvoicePlanTerms } from './invoices/entities/invoice-plan-terms.entity.js';
import { InvoiceRun, InvoiceRunItem } from './invoices/entities/invoice-run.entity.js';
import { Invoice } from './invoices/entities/invoice.entity.js';
import { billingMigrations } from './migrations/index.js';
import { Refund } from './refunds/entities/refund.entity.js';
import { SubscriptionMrrChange } from './revenue/entities/subscription-mrr-change.entity.js';
import { SubscriptionRevenue } from './revenue/entities/subscription-revenue.entity.js';
import { BillingTransaction } from './transactions/entities/billing-transaction.entity.js';
import { TransactionDispute } from './transactions/entities/transaction-dispute.entity.js';

export const billingStorage: ServiceStorage = {
  schema: 'billing',
  entities: [
    Customer,
    BillingTransaction,
    Product,
    PricingVersion,
    CustomerDiscount,
    Invoice,
    InvoiceLine,
    BilledUsage,
    InvoicePlanTerms,
    InvoiceRun,
    InvoiceRunItem,
    Refund,
    CheckoutSession,
    TransactionDispute,
    SubscriptionRevenue,
    SubscriptionMrrChange,
  ],
  consumesEvents: true,
  migrations: billingMigrations,
};
