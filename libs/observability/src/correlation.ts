import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const correlationStorage = new AsyncLocalStorage<string>();

/** Runs `work` with `correlationId` attached to every log line written inside it. */
export function withCorrelationId<T>(correlationId: string, work: () => T): T {
  return correlationStorage.run(correlationId, work);
}

export function currentCorrelationId(): string | undefined {
  return correlationStorage.getStore();
}

export function newCorrelationId(): string {
  return randomUUID();
}
