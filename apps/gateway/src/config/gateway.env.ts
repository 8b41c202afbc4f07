import { ServiceEnv, portProperty } from '@aegis/config';

export class GatewayEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 3000;
}
