import { Injectable } from '@nestjs/common';
import { resourceMissing } from '../core/stripe-error.js';
import type { ObjectKind, SandboxObjects, StoredObject } from './sandbox-objects.js';

interface Entry {
  readonly kind: ObjectKind;
  readonly seq: number;
  value: StoredObject;
}

export interface StoredRow {
  readonly id: string;
  readonly kind: ObjectKind;
  readonly seq: number;
  readonly value: StoredObject;
}

export interface StoreChanges {
  readonly upserts: StoredRow[];
  readonly deletes: string[];
}

interface Transaction {
  /** The entries as they were before the transaction first touched them (undefined: inserted). */
  readonly before: Map<string, Entry | undefined>;
}

function sameEntry(a: Entry | undefined, b: Entry | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a.seq === b.seq && JSON.stringify(a.value) === JSON.stringify(b.value);
}

/** Copies a stored object as plain JSON, the form in which it leaves the sandbox. */
export function snapshot<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The sandbox's state: every object by id, in memory. All changes happen in
 * synchronous `transaction`s, so one request's changes are applied whole or,
 * when it throws, not at all (Stripe never half-applies a request). Changed
 * ids are collected for the persistence layer, which writes them through to
 * PostgreSQL when `SANDBOX_DATABASE_URL` is set.
 *
 * Lists come newest first, ordered by insertion: `created` has one-second
 * resolution, so it cannot order objects made in the same second.
 */
@Injectable()
export class SandboxStore {
  private readonly entries = new Map<string, Entry>();
  private sequence = 0;
  private current: Transaction | null = null;
  private readonly changed = new Set<string>();

  /** Runs `work` atomically: if it throws, every object it touched is restored. */
  transaction<T>(work: () => T): T {
    if (this.current !== null) return work();
    const transaction: Transaction = { before: new Map() };
    this.current = transaction;
    try {
      const result = work();
      for (const [id, before] of transaction.before) {
        if (!sameEntry(before, this.entries.get(id))) this.changed.add(id);
      }
      return result;
    } catch (error) {
      for (const [id, entry] of transaction.before) {
        if (entry === undefined) this.entries.delete(id);
        else this.entries.set(id, entry);
      }
      throw error;
    } finally {
      this.current = null;
    }
  }

  private remember(id: string): void {
    const transaction = this.current;
    if (transaction === null) {
      this.changed.add(id);
      return;
    }
    if (transaction.before.has(id)) return;
    const entry = this.entries.get(id);
    transaction.before.set(
      id,
      entry === undefined ? undefined : { ...entry, value: snapshot(entry.value) },
    );
  }

  insert<K extends ObjectKind>(kind: K, value: SandboxObjects[K]): SandboxObjects[K] {
    this.remember(value.id);
    this.sequence += 1;
    this.entries.set(value.id, { kind, seq: this.sequence, value });
    return value;
  }

  /** The object, for reading or changing in place (changes are kept by the transaction). */
  find<K extends ObjectKind>(kind: K, id: string): SandboxObjects[K] | undefined {
    const entry = this.entries.get(id);
    if (entry?.kind !== kind) return undefined;
    if (this.current !== null) this.remember(id);
    return entry.value as SandboxObjects[K];
  }

  /** Like `find`, but a missing object is Stripe's 404 `No such <noun>: '<id>'`. */
  get<K extends ObjectKind>(kind: K, id: string, noun: string, param = 'id'): SandboxObjects[K] {
    const value = this.find(kind, id);
    if (value === undefined) throw resourceMissing(noun, id, param);
    return value;
  }

  /** The kind of object an id belongs to, whatever it is. */
  kindOf(id: string): ObjectKind | undefined {
    return this.entries.get(id)?.kind;
  }

  /** Any stored object by id (for `expand[]`). */
  findAny(id: string): StoredObject | undefined {
    return this.entries.get(id)?.value;
  }

  remove(kind: ObjectKind, id: string): void {
    if (this.entries.get(id)?.kind !== kind) return;
    this.remember(id);
    this.entries.delete(id);
  }

  /** Objects of a kind, newest first, optionally filtered (inside a transaction, changeable in place). */
  list<K extends ObjectKind>(
    kind: K,
    predicate: (value: SandboxObjects[K]) => boolean = () => true,
  ): SandboxObjects[K][] {
    const matching: Entry[] = [];
    for (const entry of this.entries.values()) {
      if (entry.kind === kind && predicate(entry.value as SandboxObjects[K])) matching.push(entry);
    }
    matching.sort((a, b) => b.seq - a.seq);
    // Inside a transaction a listed object may be changed in place, like a found one.
    if (this.current !== null) for (const entry of matching) this.remember(entry.value.id);
    return matching.map((entry) => entry.value as SandboxObjects[K]);
  }

  /** Ids changed since the last call, with their current rows (absent ones were removed). */
  takeChanges(): StoreChanges {
    const upserts: StoredRow[] = [];
    const deletes: string[] = [];
    for (const id of this.changed) {
      const entry = this.entries.get(id);
      if (entry === undefined) deletes.push(id);
      else upserts.push({ id, kind: entry.kind, seq: entry.seq, value: entry.value });
    }
    this.changed.clear();
    return { upserts, deletes };
  }

  /** Restores rows read back from storage, oldest first. */
  load(rows: Iterable<StoredRow>): void {
    for (const row of rows) {
      this.entries.set(row.id, { kind: row.kind, seq: row.seq, value: row.value });
      this.sequence = Math.max(this.sequence, row.seq);
    }
  }
}
