import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { UsageStore, usageKeyOf, type NewUsageEvent } from './usage-store.js';

/** What one commit stored: the ids inserted, and the stored id of each key that was already there. */
export interface StoredUsage {
  readonly inserted: ReadonlySet<string>;
  /** By usageKeyOf. */
  readonly existing: ReadonlyMap<string, string>;
}

/** Requests with fewer events than this share a transaction with others arriving meanwhile. */
const GROUPED_BELOW = 100;
/** The most events one shared transaction takes. */
const MAX_GROUP_EVENTS = 2_000;
/** PostgreSQL's codes for a transaction that lost a race and may simply run again. */
const RETRYABLE_CODES = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

interface Waiting {
  readonly events: readonly NewUsageEvent[];
  readonly resolve: (stored: StoredUsage) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Commits usage events: a large batch in a transaction of its own; small
 * requests (single events) by group commit, those that arrive while a
 * commit runs going together in the next one, so that a stream of single
 * events costs one transaction per group rather than per event. Each
 * request resolves only after the commit that holds its events; a group that
 * fails fails every request in it, and none of it is stored.
 */
@Injectable()
export class UsageWriter {
  private readonly waiting: Waiting[] = [];
  private committing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: UsageStore,
  ) {}

  /** Stores the events (no key repeated among them) and says which were new. */
  write(events: readonly NewUsageEvent[]): Promise<StoredUsage> {
    if (events.length >= GROUPED_BELOW) return this.commit(events);
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      if (!this.committing) void this.commitWaiting();
    });
  }

  private async commitWaiting(): Promise<void> {
    this.committing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.nextGroup();
        try {
          const stored = await this.commit(group.flatMap((request) => request.events));
          for (const request of group) request.resolve(stored);
        } catch (error) {
          for (const request of group) request.reject(error);
        }
      }
    } finally {
      this.committing = false;
    }
  }

  private nextGroup(): Waiting[] {
    const group: Waiting[] = [];
    let events = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      if (
        next === undefined ||
        (group.length > 0 && events + next.events.length > MAX_GROUP_EVENTS)
      )
        break;
      group.push(next);
      events += next.events.length;
      this.waiting.shift();
    }
    return group;
  }

  /**
   * One transaction: the events whose key is new are inserted (the first of
   * a key repeated across a group's requests wins), and the stored id of
   * every other key is read back in the same transaction.
   */
  private async commit(events: readonly NewUsageEvent[]): Promise<StoredUsage> {
    const seen = new Set<string>();
    const unique = events.filter((event) => {
      const key = usageKeyOf(event.customerId, event.idempotencyKey);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return this.inTransaction(async (manager) => {
      const inserted = await this.store.insert(manager, unique);
      const already = events.filter((event) => !inserted.has(event.id));
      const existing = await this.store.idsOf(manager, already);
      return { inserted, existing };
    });
  }

  private async inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE_CODES.has(code))
          throw error;
      }
    }
  }
}
