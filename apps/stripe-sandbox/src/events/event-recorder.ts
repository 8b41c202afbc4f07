import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { StripeSandboxEnv } from '../config/stripe-sandbox.env.js';
import { currentApiRequest } from '../core/request-context.js';
import { newId } from '../store/ids.js';
import { SandboxClock } from '../store/sandbox-clock.js';
import { SandboxStore, snapshot } from '../store/sandbox-store.js';

export type EventType = Stripe.Event['type'];
export type EventOf<T extends EventType> = Extract<Stripe.Event, { type: T }>;
export type EventObjectOf<T extends EventType> = EventOf<T>['data']['object'];

/** The API version the sandbox speaks: the one of the SDK it is built with. */
export const SANDBOX_API_VERSION = Stripe.API_VERSION;

export interface RecordOptions<T extends EventType> {
  /** For `*.updated`: the changed fields' values before the change. */
  readonly previous?: Partial<EventObjectOf<T>>;
  /** The test clock whose time the event happens at (default: the wall clock). */
  readonly testClock?: string | null;
}

/** Whether an endpoint wants an event type (`*` or the type itself). */
export function endpointWants(endpoint: Stripe.WebhookEndpoint, type: string): boolean {
  return (
    endpoint.status === 'enabled' &&
    (endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type))
  );
}

/**
 * The fields of `after` that differ from `before`, with their old values:
 * Stripe's `data.previous_attributes`.
 */
export function previousAttributes<T extends object>(before: T, after: T): Partial<T> {
  const previous: Partial<T> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof T>) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key];
  }
  return previous;
}

/**
 * Records Stripe events. Each state change the sandbox makes records the
 * event Stripe would send, typed by the SDK's event union so the object must
 * be the one that event carries; recording also queues a delivery to every
 * enabled webhook endpoint that wants the type (two, with
 * `SANDBOX_WEBHOOK_DUPLICATES`). Call it inside the store transaction of the
 * change, so a change and its events are kept or dropped together.
 */
@Injectable()
export class EventRecorder {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
    private readonly env: StripeSandboxEnv,
  ) {}

  record<T extends EventType>(
    type: T,
    object: EventObjectOf<T>,
    options: RecordOptions<T> = {},
  ): EventOf<T> {
    const endpoints = this.store
      .list('webhook_endpoint')
      .filter((endpoint) => endpointWants(endpoint, type));
    const request = currentApiRequest();
    // TypeScript cannot relate a generic T to its member of the event union; the parameters'
    // types above already tie `object` to `type`, so the assembled event is that member.
    const event = {
      id: newId('evt'),
      object: 'event',
      api_version: SANDBOX_API_VERSION,
      created: this.clock.now(options.testClock),
      data: {
        object: snapshot(object),
        ...(options.previous === undefined
          ? {}
          : { previous_attributes: snapshot(options.previous) }),
      },
      livemode: false,
      pending_webhooks: endpoints.length,
      request: { id: request?.id ?? null, idempotency_key: request?.idempotencyKey ?? null },
      type,
    } as unknown as EventOf<T>;
    this.store.insert('event', event);
    const copies = this.env.SANDBOX_WEBHOOK_DUPLICATES ? 2 : 1;
    for (const endpoint of endpoints) {
      for (let copy = 0; copy < copies; copy += 1) {
        this.store.insert('sandbox.webhook_delivery', {
          id: newId('whd'),
          object: 'sandbox.webhook_delivery',
          created: this.clock.realNow(),
          event: event.id,
          endpoint: endpoint.id,
          attempts: 0,
          next_attempt_at: Date.now(),
          last_status: null,
          last_error: null,
        });
      }
    }
    return event;
  }

  /** Records a `*.updated` event if anything changed between `before` (a snapshot) and `after`. */
  recordUpdate<T extends EventType>(
    type: T,
    before: EventObjectOf<T>,
    after: EventObjectOf<T>,
    options: Omit<RecordOptions<T>, 'previous'> = {},
  ): EventOf<T> | null {
    const previous = previousAttributes<EventObjectOf<T>>(before, after);
    if (Object.keys(previous).length === 0) return null;
    return this.record(type, after, { ...options, previous });
  }
}
