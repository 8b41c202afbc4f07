import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export const SYSTEM_PING_V1 = 'system.ping.v1';

export class PingRequestV1 {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  caller!: string;
}

export class PingResponseV1 {
  service!: string;
  instanceId!: string;
  respondedAt!: string;
}
