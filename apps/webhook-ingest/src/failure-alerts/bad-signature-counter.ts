import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { BAD_SIGNATURE_BURST_MAX_SOURCES, WEBHOOK_BAD_SIGNATURE_BURST_V1 } from '@aegis/contracts';
import { EventPublisher } from '@aegis/messaging';
import { Redis } from 'ioredis';
import { isIP } from 'node:net';
import { DataSource } from 'typeorm';
import { WebhookIngestEnv } from '../config/webhook-ingest.env.js';
import { windowStartOf } from './failure-alert-rules.js';

export const FAILURE_ALERTS_REDIS = Symbol('FAILURE_ALERTS_REDIS');

/**
 * KEYS: the window's count, its sources, its "raised" marker. ARGV: the source (or ''), the
 * keys' lifetime in seconds, the most sources kept, the threshold. Answers {count, raise, sources}:
 * `raise` is 1 for the one rejection (of every replica) that first finds the window at or above
 * the threshold, and `sources` is then the window's source set.
 */
const COUNT_REJECTION = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if ARGV[1] ~= '' and redis.call('SCARD', KEYS[2]) < tonumber(ARGV[3]) then
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
if count >= tonumber(ARGV[4]) and redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[2]) then
  return {count, 1, redis.call('SMEMBERS', KEYS[2])}
end
return {count, 0, {}}
`;

function isCountAnswer(value: unknown): value is [number, number, string[]] {
  return (
    Array.isArray(value) &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'number' &&
    Array.isArray(value[2])
  );
}

/**
 * Counts rejected webhook signatures in fixed windows of
 * WEBHOOK_BAD_SIGNATURE_WINDOW_SECONDS in Redis (REDIS_KEY_PREFIX), so every
 * replica counts into one window; the rejection that brings a window to
 * WEBHOOK_BAD_SIGNATURE_ALERT_THRESHOLD publishes
 * `ingest.webhook.bad_signature_burst.v1` once for the window (id = its
 * start). Redis or the database being away costs the alert, never the
 * webhook's answer.
 */
@Injectable()
export class BadSignatureCounter implements OnApplicationShutdown {
  private readonly logger = new Logger(BadSignatureCounter.name);

  constructor(
    @Inject(FAILURE_ALERTS_REDIS) private readonly redis: Redis,
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    private readonly env: WebhookIngestEnv,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }

  /** One rejected signature from `sourceIp` (undefined when the socket has none). */
  async rejected(sourceIp: string | undefined): Promise<void> {
    try {
      await this.count(sourceIp !== undefined && isIP(sourceIp) !== 0 ? sourceIp : '');
    } catch (error) {
      this.logger.warn(
        `a rejected signature was not counted: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async count(sourceIp: string): Promise<void> {
    const windowSeconds = this.env.WEBHOOK_BAD_SIGNATURE_WINDOW_SECONDS;
    const threshold = this.env.WEBHOOK_BAD_SIGNATURE_ALERT_THRESHOLD;
    const windowStart = windowStartOf(new Date(), windowSeconds);
    const key = `${this.env.REDIS_KEY_PREFIX}:ingest:bad-signatures:${windowStart.getTime() / 1_000}`;
    const raisedKey = `${key}:raised`;
    const answer: unknown = await this.redis.eval(
      COUNT_REJECTION,
      3,
      `${key}:count`,
      `${key}:sources`,
      raisedKey,
      sourceIp,
      // Outlives the window, so a late replica still finds the marker.
      String(windowSeconds * 2),
      String(BAD_SIGNATURE_BURST_MAX_SOURCES),
      String(threshold),
    );
    if (!isCountAnswer(answer)) throw new Error('unexpected answer from the counting script');
    const [rejected, raise, sources] = answer;
    if (raise !== 1) return;
    try {
      await this.dataSource.transaction((manager) =>
        this.publisher.publishOnce(
          manager,
          WEBHOOK_BAD_SIGNATURE_BURST_V1,
          {
            windowStart: windowStart.toISOString(),
            windowSeconds,
            threshold,
            rejected,
            sourceIps: [...sources].sort(),
          },
          { id: `bad_signature_burst:${windowStart.toISOString()}` },
        ),
      );
      this.logger.warn(
        `${rejected} rejected webhook signatures since ${windowStart.toISOString()} (threshold ${threshold})`,
      );
    } catch (error) {
      // Not written: the next rejection in the window tries again.
      await this.redis.del(raisedKey).catch(() => undefined);
      throw error;
    }
  }
}
