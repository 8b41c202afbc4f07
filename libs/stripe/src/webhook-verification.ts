import Stripe from 'stripe';

/** Why a webhook was refused, in one line (the SDK's own messages run to paragraphs). */
export class WebhookVerificationError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'WebhookVerificationError';
  }
}

function reasonOf(error: unknown, toleranceSeconds: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('Timestamp outside the tolerance zone')) {
    return `stale signature: its timestamp is more than ${toleranceSeconds} s away`;
  }
  if (message.includes('Unable to extract timestamp and signatures')) {
    return 'malformed Stripe-Signature header';
  }
  if (message.includes('No signatures found matching')) {
    return 'no signature matches the webhook signing secret';
  }
  return 'invalid signature';
}

/**
 * Verifies a webhook against the raw bytes it arrived as, with the SDK's
 * `constructEvent`, trying each signing secret (several are active while one
 * is rolled), and returns the event. Throws WebhookVerificationError with a
 * one-line reason when no secret verifies it.
 */
export function verifyStripeWebhook(
  payload: Buffer,
  signatureHeader: string | undefined,
  secrets: readonly string[],
  toleranceSeconds: number,
): Stripe.Event {
  if (signatureHeader === undefined || signatureHeader.trim() === '') {
    throw new WebhookVerificationError('missing Stripe-Signature header');
  }
  let reason = 'no webhook signing secret is configured';
  for (const secret of secrets) {
    try {
      return Stripe.webhooks.constructEvent(payload, signatureHeader, secret, toleranceSeconds);
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) throw error;
      reason = reasonOf(error, toleranceSeconds);
      // A stale timestamp is stale for every secret.
      if (reason.startsWith('stale')) break;
    }
  }
  throw new WebhookVerificationError(reason);
}
