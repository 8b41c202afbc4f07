import { ServiceEnv, portProperty } from '@aegis/config';

export class SubscriptionsEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 3004;
}
