import { Injectable } from '@nestjs/common';
import { DEFAULT_STRIPE_WEBHOOK_SECRET } from '@aegis/config';
import { verifyStripeWebhook } from '@aegis/stripe';
import type Stripe from 'stripe';
import { WebhookIngestEnv } from '../config/webhook-ingest.env.js';

/**
 * Why the development secret may not be used: it is published with the code,
 * so anyone could sign webhooks with it. Returns null when the settings are safe.
 */
export function unsafeSecretReason(env: WebhookIngestEnv): string | null {
  if (!env.STRIPE_WEBHOOK_SECRET.includes(DEFAULT_STRIPE_WEBHOOK_SECRET)) return null;
  if (env.STRIPE_SECRET_KEY !== undefined)
    return 'STRIPE_WEBHOOK_SECRET holds the public development secret while STRIPE_SECRET_KEY points at Stripe: set the endpoint’s own signing secret';
  if (env.NODE_ENV === 'production')
    return 'STRIPE_WEBHOOK_SECRET holds the public development secret in production: set the endpoint’s own signing secret';
  return null;
}

/** Verifies webhooks with the configured secrets and tolerance; refuses to start with an unsafe secret. */
@Injectable()
export class StripeWebhookVerifier {
  private readonly secrets: readonly string[];
  private readonly toleranceSeconds: number;

  constructor(env: WebhookIngestEnv) {
    const unsafe = unsafeSecretReason(env);
    if (unsafe !== null) throw new Error(unsafe);
    this.secrets = env.STRIPE_WEBHOOK_SECRET;
    this.toleranceSeconds = env.STRIPE_WEBHOOK_TOLERANCE_SECONDS;
  }

  /** The event the raw body holds; throws WebhookVerificationError with a one-line reason. */
  verify(rawBody: Buffer, signatureHeader: string | undefined): Stripe.Event {
    return verifyStripeWebhook(rawBody, signatureHeader, this.secrets, this.toleranceSeconds);
  }
}
