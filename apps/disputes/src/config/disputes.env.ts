import { ServiceEnv, portProperty } from '@aegis/config';

export class DisputesEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 3005;
}
