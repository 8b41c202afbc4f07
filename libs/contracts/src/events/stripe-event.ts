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
