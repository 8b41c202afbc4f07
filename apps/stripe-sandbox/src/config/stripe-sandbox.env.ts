import { ServiceEnv, portProperty } from '@aegis/config';

export class StripeSandboxEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 12111;
}
