import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { ReadinessCheck } from '@aegis/observability';
import { Redis } from 'ioredis';
import { GatewayEnv } from '../config/gateway.env.js';

/** Commands (rate limits, publishing revocations): fails fast while Redis is away. */
export const REDIS_COMMANDS = Symbol('REDIS_COMMANDS');
/** A connection in subscriber mode (revocation broadcasts). */
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');

function connect(env: GatewayEnv, name: string): Redis {
  const client = new Redis(env.REDIS_URL, {
    connectionName: `aegis-gateway-${name}`,
    // Rate limiting must not wait for a Redis that is away: its insurance limiter answers instead.
    enableOfflineQueue: name === 'subscriber',
    maxRetriesPerRequest: 1,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  const logger = new Logger(`Redis(${name})`);
  let reported = false;
  client.on('error', (error: Error) => {
    if (!reported) logger.warn(`Redis unavailable: ${error.message}`);
    reported = true;
  });
  client.on('ready', () => {
    if (reported) logger.log('Redis available again');
    reported = false;
  });
  return client;
}

/** Redis being away degrades the gateway (per-replica rate limits) but does not stop it. */
@Injectable()
export class RedisReadiness implements ReadinessCheck, OnApplicationShutdown {
  readonly name = 'redis';

  constructor(
    @Inject(REDIS_COMMANDS) private readonly commands: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {}

  check(): Promise<HealthIndicatorResult> {
    const connected = this.commands.status === 'ready' && this.subscriber.status === 'ready';
    return Promise.resolve({
      redis: connected
        ? { status: 'up' }
        : {
            status: 'up',
            degraded: true,
            fallback:
              'Redis is unreachable: rate limits are counted per replica, key records are re-read every time',
          },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS_COMMANDS,
      inject: [GatewayEnv],
      useFactory: (env: GatewayEnv) => connect(env, 'commands'),
    },
    {
      provide: REDIS_SUBSCRIBER,
      inject: [GatewayEnv],
      useFactory: (env: GatewayEnv) => connect(env, 'subscriber'),
    },
    RedisReadiness,
  ],
  exports: [REDIS_COMMANDS, REDIS_SUBSCRIBER, RedisReadiness],
})
export class RedisModule {}
