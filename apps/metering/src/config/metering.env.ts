import { ServiceEnv, portProperty } from '@aegis/config';

export class MeteringEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 3002;
}
