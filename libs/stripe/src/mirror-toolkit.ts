/**
 * What every service that mirrors Stripe objects shares: the envelope its
 * handlers receive, ids of expandable fields, Stripe's seconds against our
 * timestamptz columns and convergence stamps (the per-object lock is
 * `lockUntilCommit` of @aegis/persistence).
 */
import { randomUUID } from 'node:crypto';
import type { Envelope, StripeEventName, StripeEventOf, StripeEventType } from '@aegis/contracts';

/** A fanned-out Stripe event of one of the types `T`, as a handler receives it. */
export type StripeEnvelope<T extends StripeEventType> = Envelope<
  StripeEventName<T>,
  StripeEventOf<StripeEventName<T>>
>;

type Reference = string | { readonly id: string };

/** The id of an expandable Stripe field, whether it holds the id or the expanded object. */
export function idOf(reference: Reference): string;
export function idOf(reference: Reference | null | undefined): string | null;
export function idOf(reference: Reference | null | undefined): string | null {
  if (reference === null || reference === undefined) return null;
  return typeof reference === 'string' ? reference : reference.id;
}

/** A Stripe time (Unix seconds) as a Date. */
export function fromStripeTime(seconds: number): Date;
export function fromStripeTime(seconds: number | null | undefined): Date | null;
export function fromStripeTime(seconds: number | null | undefined): Date | null {
  return seconds === null || seconds === undefined ? null : new Date(seconds * 1_000);
}

/** A Date as Stripe's Unix seconds, the unit `created` is compared in. */
export function secondsOf(date: Date): number;
export function secondsOf(date: Date | null | undefined): number | null;
export function secondsOf(date: Date | null | undefined): number | null {
  return date === null || date === undefined ? null : Math.floor(date.getTime() / 1_000);
}

/** The convergence stamp after applying an event of `created` (seconds): never earlier than before. */
export function laterStamp(stamp: Date | null | undefined, created: number): Date {
  const current = secondsOf(stamp);
  return fromStripeTime(Math.max(current ?? created, created));
}

/** Stripe's request id of one of its answers (`Request-Id`), else an id of ours unique to the call. */
export function requestIdOf(answer: object): string {
  return (
    (answer as { readonly lastResponse?: { readonly requestId?: string } }).lastResponse
      ?.requestId ?? `aegis_${randomUUID()}`
  );
}
