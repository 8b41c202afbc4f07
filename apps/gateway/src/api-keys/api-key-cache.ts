import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { GatewayEnv } from '../config/gateway.env.js';
import { REDIS_COMMANDS, REDIS_SUBSCRIBER } from '../redis/redis.module.js';
import { ApiKey } from './api-key.entity.js';

interface CachedKey {
  readonly key: ApiKey | null;
  readonly loadedAt: number;
}

/** Entries beyond this are dropped wholesale: unknown keys sent by a caller must not grow memory. */
const MAX_ENTRIES = 50_000;

/**
 * Key records by secret hash, trusted for API_KEY_CACHE_TTL_MS. A change to
 * a key (revoke, roll) is broadcast on Redis and drops it from every
 * replica's cache at once; while this replica's subscription is down nothing
 * is cached, and the TTL bounds a broadcast that is lost on the way.
 */
@Injectable()
export class ApiKeyCache implements OnModuleInit {
  private readonly logger = new Logger(ApiKeyCache.name);
  private readonly entries = new Map<string, CachedKey>();
  private readonly hashById = new Map<string, string>();
  private readonly channel: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly env: GatewayEnv,
    @Inject(REDIS_COMMANDS) private readonly commands: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {
    this.channel = `${env.REDIS_KEY_PREFIX}:gateway:api-key-changed`;
  }

  onModuleInit(): void {
    this.subscriber.on('message', (channel: string, keyId: string) => {
      if (channel === this.channel) this.forget(keyId);
    });
    // Broadcasts sent while the subscription was down are lost: start afresh.
    this.subscriber.on('ready', () => this.entries.clear());
    this.subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.logger.warn(`cannot subscribe to key changes yet: ${String(error)}`);
    });
  }

  async lookup(secretHash: Buffer): Promise<ApiKey | null> {
    const hash = secretHash.toString('hex');
    const now = Date.now();
    const cached = this.entries.get(hash);
    if (
      cached !== undefined &&
      this.trusted() &&
      now - cached.loadedAt < this.env.API_KEY_CACHE_TTL_MS
    )
      return cached.key;
    const key = await this.dataSource.getRepository(ApiKey).findOneBy({ secretHash });
    if (this.trusted()) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(hash, { key, loadedAt: now });
      if (key !== null) this.hashById.set(key.id, hash);
    }
    return key;
  }

  /** Tells every replica (this one included) that `keyId` changed. Call after the change committed. */
  async announceChanged(keyId: string): Promise<void> {
    this.forget(keyId);
    try {
      await this.commands.publish(this.channel, keyId);
    } catch (error) {
      this.logger.warn(
        `key change ${keyId} not broadcast (${String(error)}): other replicas see it within ${this.env.API_KEY_CACHE_TTL_MS} ms`,
      );
    }
  }

  private trusted(): boolean {
    return this.env.API_KEY_CACHE_TTL_MS > 0 && this.subscriber.status === 'ready';
  }

  private forget(keyId: string): void {
    const hash = this.hashById.get(keyId);
    if (hash !== undefined) this.entries.delete(hash);
    this.hashById.delete(keyId);
  }
}
