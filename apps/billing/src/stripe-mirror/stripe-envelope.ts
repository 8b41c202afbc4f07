import type { Envelope, StripeEventName, StripeEventOf, StripeEventType } from '@aegis/contracts';

/** A fanned-out Stripe event of one of the types `T`, as a handler receives it. */
export type StripeEnvelope<T extends StripeEventType> = Envelope<
  StripeEventName<T>,
  StripeEventOf<StripeEventName<T>>
>;

/** The service name billing signs its receipts with. */
export const BILLING_SERVICE = 'billing';
