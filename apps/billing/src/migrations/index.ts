import { CreateBillingSchema1763800000000 } from './1763800000000-create-billing-schema.js';
import { CreateStripeMirrorTables1763800000001 } from './1763800000001-create-stripe-mirror-tables.js';
import { CustomerRegistry1763800000002 } from './1763800000002-customer-registry.js';
import { CustomersNewestFirstIndex1763800000003 } from './1763800000003-customers-newest-first-index.js';
import { Catalog1763800000004 } from './1763800000004-catalog.js';
import { Invoices1766000000000 } from './1766000000000-invoices.js';
import { Refunds1766100000000 } from './1766100000000-refunds.js';
import { CheckoutSessions1766100000001 } from './1766100000001-checkout-sessions.js';
import { PlanHoursTerms1766300000000 } from './1766300000000-plan-hours-terms.js';
import { CheckoutPlans1766300000001 } from './1766300000001-checkout-plans.js';
import { RefundRequestKeys1766400000000 } from './1766400000000-refund-request-keys.js';
import { TransactionDisputes1766500000000 } from './1766500000000-transaction-disputes.js';
import { RevenueReadModel1766600000000 } from './1766600000000-revenue-read-model.js';
import { RevenueDailyRollup1766700000000 } from './1766700000000-revenue-daily-rollup.js';
import { TransactionFailureReasons1766700000100 } from './1766700000100-transaction-failure-reasons.js';

/** Every migration of the `billing` schema, oldest first. */
export const billingMigrations = [
  CreateBillingSchema1763800000000,
  CreateStripeMirrorTables1763800000001,
  CustomerRegistry1763800000002,
  CustomersNewestFirstIndex1763800000003,
  Catalog1763800000004,
  Invoices1766000000000,
  Refunds1766100000000,
  CheckoutSessions1766100000001,
  PlanHoursTerms1766300000000,
  CheckoutPlans1766300000001,
  RefundRequestKeys1766400000000,
  TransactionDisputes1766500000000,
  RevenueReadModel1766600000000,
  RevenueDailyRollup1766700000000,
  TransactionFailureReasons1766700000100,
];
