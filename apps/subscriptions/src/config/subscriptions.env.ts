import { portProperty } from '@aegis/config';
import { StripeServiceEnv } from '@aegis/stripe';

export class SubscriptionsEnv extends StripeServiceEnv {
  @portProperty()
  PORT: number = 3004;
}
