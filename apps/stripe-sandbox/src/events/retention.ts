import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { IDEMPOTENCY_KEY_TTL_SECONDS } from '../core/stripe-request.interceptor.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore } from '../store/sandbox-store.js';
import { StorePersistence } from '../store/store-persistence.js';

/** Stripe keeps events for 30 days. */
export const EVENT_RETENTION_SECONDS = 30 * 24 * 60 * 60;
const SWEEP_INTERVAL_MS = 60_000;

/** Forgets events older than 30 days and idempotency keys older than 24 hours, as Stripe does. */
@Injectable()
export class Retention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly persistence: StorePersistence,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    const now = this.clock.realNow();
    this.store.transaction(() => {
      for (const event of this.store.list(
        'event',
        (e) => e.created < now - EVENT_RETENTION_SECONDS,
      )) {
        this.store.remove('event', event.id);
      }
      for (const key of this.store.list(
        'sandbox.idempotency_key',
        (record) => record.created < now - IDEMPOTENCY_KEY_TTL_SECONDS,
      )) {
        this.store.remove('sandbox.idempotency_key', key.id);
      }
    });
    await this.persistence.flush();
  }
}
