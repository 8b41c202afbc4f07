import { ServiceEnv, portProperty } from '@aegis/config';

export class WebhookIngestEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 3001;
}
