import {
  BILLING_TRANSACTION_CREATED_V1,
  BILLING_TRANSACTION_UPDATED_V1,
  BillingTransactionV1,
} from './events/billing-transaction.v1.js';
import { STRIPE_EVENT_APPLIED_V1, StripeEventAppliedV1 } from './events/stripe-event-applied.v1.js';
import {
  StripeEventPayload,
  isStripeEventName,
  type StripeEventName,
  type StripeEventOf,
} from './events/stripe-event.js';
import {
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_ENDED_V1,
  SUBSCRIPTION_UPDATED_V1,
  SubscriptionStateV1,
} from './events/subscription.v1.js';
import { USAGE_RECORDED_V1, UsageRecordedV1 } from './events/usage-recorded.v1.js';
import { PingRequestV1, type PingResponseV1 } from './rpc/ping.v1.js';

type PayloadClass = new () => object;

/**
 * Every domain event: name to payload class. Publishing or handling an event
 * with the wrong payload type fails to compile, and the class validates the
 * payload at run time. Do not change an entry in place: a breaking change is a
 * new `.v<N+1>` entry, and the old one stays until every consumer has moved.
 */
export const EVENT_PAYLOADS = {
  [USAGE_RECORDED_V1]: UsageRecordedV1,
  [STRIPE_EVENT_APPLIED_V1]: StripeEventAppliedV1,
  [BILLING_TRANSACTION_CREATED_V1]: BillingTransactionV1,
  [BILLING_TRANSACTION_UPDATED_V1]: BillingTransactionV1,
  [SUBSCRIPTION_CREATED_V1]: SubscriptionStateV1,
  [SUBSCRIPTION_UPDATED_V1]: SubscriptionStateV1,
  [SUBSCRIPTION_ENDED_V1]: SubscriptionStateV1,
} as const satisfies Record<string, PayloadClass>;

type DomainEventName = keyof typeof EVENT_PAYLOADS;

/** Our own events, and Stripe's events as webhook-ingest fans them out (`stripe.<type>`). */
export type EventName = DomainEventName | StripeEventName;
export type EventPayload<K extends EventName> = K extends StripeEventName
  ? StripeEventOf<K>
  : K extends DomainEventName
    ? InstanceType<(typeof EVENT_PAYLOADS)[K]>
    : never;

/** The class that validates an event's payload at run time. */
export function payloadClassOf(name: EventName): PayloadClass {
  return isStripeEventName(name) ? StripeEventPayload : EVENT_PAYLOADS[name];
}

/**
 * Every request/reply call. The request class validates what a service is
 * asked; the reply type is what the caller gets back.
 */
export const RPC_REQUESTS = {
  'system.ping.v1': PingRequestV1,
} as const satisfies Record<string, PayloadClass>;

export interface RpcReplies {
  'system.ping.v1': PingResponseV1;
}

export type RpcName = keyof typeof RPC_REQUESTS;
export type RpcRequest<K extends RpcName> = InstanceType<(typeof RPC_REQUESTS)[K]>;
export type RpcReply<K extends RpcName> = RpcReplies[K];

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(EVENT_PAYLOADS, name) || isStripeEventName(name);
}

export function isRpcName(name: string): name is RpcName {
  return Object.hasOwn(RPC_REQUESTS, name);
}
