import { IsISO8601, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { defineRpcRoute, EVERY_SERVICE } from './rpc-route.js';

export class PingRequestV1 {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  caller!: string;
}

export class PingResponseV1 {
  @IsString()
  @IsNotEmpty()
  service!: string;

  @IsString()
  @IsNotEmpty()
  instanceId!: string;

  @IsISO8601({ strict: true })
  respondedAt!: string;
}

/** Answered by every service with storage: checks it end to end over the broker. */
export const SYSTEM_PING_V1 = defineRpcRoute({
  name: 'system.ping.v1',
  service: EVERY_SERVICE,
  request: PingRequestV1,
  reply: PingResponseV1,
});
