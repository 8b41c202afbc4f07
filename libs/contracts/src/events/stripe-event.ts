import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Equals,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  ValidateNested,
} from 'class-validator';
import type Stripe from 'stripe';

/** Every Stripe event type the SDK knows, e.g. `invoice.payment_succeeded`. */
export type StripeEventType = Stripe.Event['type'];

/**
 * A Stripe event fanned out by webhook-ingest: routing key and message type
 * `stripe.<Stripe event type>` (no version suffix: the payload is Stripe's
 * own event, versioned by its `api_version`), message id = the event id.
 */
export type StripeEventName<T extends StripeEventType = StripeEventType> = `stripe.${T}`;

/** The SDK's typed event for a `stripe.<type>` name. */
export type StripeEventOf<N extends StripeEventName> = N extends `stripe.${infer T}`
  ? Extract<Stripe.Event, { type: T }>
  : never;

export function stripeEventName<T extends StripeEventType>(type: T): StripeEventName<T> {
  return `stripe.${type}`;
}

/**
 * True for `stripe.<type>` names. Any well-formed type counts, not only those
 * the SDK knows today: Stripe adds types, and ingest fans out whatever it
 * receives.
 */
export function isStripeEventName(name: string): name is StripeEventName {
  return /^stripe\.[a-z_]+(\.[a-z_]+)+$/.test(name);
}

export class StripeEventData {
  @IsObject()
  object!: { id?: string; object: string };

  @IsOptional()
  @IsObject()
  previous_attributes?: Record<string, unknown>;
}

/**
 * The run-time check of a fanned-out Stripe event: the fields every consumer
 * relies on. `data.object` is kept as Stripe sent it.
 */
export class StripeEventPayload {
  @Matches(/^evt_\w+$/)
  id!: string;

  @Equals('event')
  object!: 'event';

  @IsString()
  type!: string;

  @IsInt()
  created!: number;

  @IsOptional()
  @IsString()
  api_version!: string | null;

  @IsBoolean()
  livemode!: boolean;

  @IsOptional()
  @IsString()
  account?: string;

  @IsInt()
  pending_webhooks!: number;

  @IsOptional()
  @IsObject()
  request!: { id: string | null; idempotency_key?: string | null } | null;

  @ValidateNested()
  @Type(() => StripeEventData)
  data!: StripeEventData;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * What is wrong with a parsed webhook body as a `StripeEventPayload`, one
 * line per field at fault (empty when nothing is): the same rules as the
 * class, checked without class-validator, whose metadata lookup and copy of
 * `data.object` cost more than everything else webhook-ingest does per event.
 */
export function stripeEventFaults(event: unknown): string[] {
  if (!isPlainObject(event)) return ['the body must be a JSON object'];
  const faults: string[] = [];
  const { id, object, type, created, api_version, livemode, account, pending_webhooks } = event;
  if (typeof id !== 'string' || !/^evt_\w+$/.test(id)) faults.push('id must be an evt_… id');
  if (object !== 'event') faults.push("object must be 'event'");
  if (typeof type !== 'string' || !isStripeEventName(`stripe.${type}`))
    faults.push('type must be a Stripe event type');
  if (!Number.isInteger(created)) faults.push('created must be an integer');
  if (api_version !== undefined && api_version !== null && typeof api_version !== 'string')
    faults.push('api_version must be a string');
  if (typeof livemode !== 'boolean') faults.push('livemode must be a boolean');
  if (account !== undefined && account !== null && typeof account !== 'string')
    faults.push('account must be a string');
  if (!Number.isInteger(pending_webhooks)) faults.push('pending_webhooks must be an integer');
  if (event.request !== undefined && event.request !== null && !isPlainObject(event.request))
    faults.push('request must be an object');
  const { data } = event;
  if (!isPlainObject(data)) faults.push('data must be an object');
  else {
    if (!isPlainObject(data.object)) faults.push('data.object must be an object');
    const previous = data.previous_attributes;
    if (previous !== undefined && previous !== null && !isPlainObject(previous))
      faults.push('data.previous_attributes must be an object');
  }
  return faults;
}
