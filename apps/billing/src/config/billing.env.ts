import { portProperty } from '@aegis/config';
import { StripeServiceEnv } from '@aegis/stripe';

export class BillingEnv extends StripeServiceEnv {
  @portProperty()
  PORT: number = 3003;
}
