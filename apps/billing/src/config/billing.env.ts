import { portProperty } from '@aegis/config';
import { IsInt, Max, Min } from 'class-validator';
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
}
