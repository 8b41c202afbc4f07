import { IsIn, IsISO8601, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

export const STRIPE_EVENT_APPLIED_V1 = 'ingest.stripe_event.applied.v1';

export const STRIPE_EVENT_OUTCOMES = [
  /** The event's object was newer than what the service had: applied. */
  'applied',
  /** The service already had this state or a newer one: nothing changed. */
  'stale',
  /** The order was in doubt (same second): the object was re-fetched from Stripe and that applied. */
  'refetched',
  /** The service has nothing to do with this event. */
  'ignored',
] as const;
export type StripeEventOutcome = (typeof STRIPE_EVENT_OUTCOMES)[number];

/**
 * A consuming service's receipt for a fanned-out Stripe event, written in
 * the same transaction as what it applied: webhook-ingest collects them, so
 * "accepted" can be checked against "applied".
 */
export class StripeEventAppliedV1 {
  @Matches(/^evt_\w+$/)
  eventId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  service!: string;

  @IsIn(STRIPE_EVENT_OUTCOMES)
  outcome!: StripeEventOutcome;

  @IsISO8601({ strict: true })
  appliedAt!: string;
}
