import { ServiceEnv, portProperty } from '@aegis/config';

export class BillingEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 3003;
}
