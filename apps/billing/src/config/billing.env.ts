import { portProperty } from '@aegis/config';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { PRODUCT_ID_PATTERN } from '@aegis/contracts';
import { StripeServiceEnv } from '@aegis/stripe';

export class BillingEnv extends StripeServiceEnv {
  @portProperty()
  PORT: number = 3003;

  /** Days a customer without a default payment method has to pay an invoice sent to it. */
  @IsInt()
  @Min(0)
  @Max(365)
  INVOICE_DAYS_UNTIL_DUE: number = 30;

  /** Invoices an invoice run drives at once (their Stripe writes share STRIPE_WRITES_PER_SECOND). */
  @IsInt()
  @Min(1)
  @Max(64)
  INVOICE_RUN_CONCURRENCY: number = 8;

  /**
   * How long a process holds an invoice, or an invoice run, it is driving
   * (renewed as a run goes): after a crash, others take it over this much later.
   */
  @IsInt()
  @Min(1)
  @Max(600)
  INVOICE_LEASE_SECONDS: number = 30;

  /** How often unfinished invoices and runs are looked for and resumed, in milliseconds. */
  @IsInt()
  @Min(100)
  INVOICE_RESUME_INTERVAL_MS: number = 5_000;

  /**
   * The usage product whose metered value is the hours an agent worked: a
   * customer with a plan has it priced by the plan's terms (the subscriptions
   * service's PLAN_HOURS_PRODUCT_ID, the same default).
   */
  @Matches(PRODUCT_ID_PATTERN)
  PLAN_HOURS_PRODUCT_ID: string = 'agent_hours';

  /** How long the subscriptions service has to answer a plan's overage terms while an invoice is priced. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  PLAN_TERMS_TIMEOUT_MS: number = 5_000;
}
