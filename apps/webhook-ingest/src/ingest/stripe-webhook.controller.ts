import { BadRequestException, Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { StripeEventIngestService, type IngestOutcome } from './stripe-event-ingest.service.js';

export interface WebhookAnswer {
  readonly received: true;
  readonly outcome: IngestOutcome;
}

@Controller('webhooks')
export class StripeWebhookController {
  constructor(private readonly ingest: StripeEventIngestService) {}

  /** Stripe's webhook endpoint: verify, store, answer. Nothing else runs before the answer. */
  @Post('stripe')
  @HttpCode(200)
  async receive(
    @Req() request: { readonly body?: unknown; readonly ip?: string },
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<WebhookAnswer> {
    // The body is left unparsed for this path (main.ts): the signature is checked on its bytes.
    const rawBody: unknown = request.body;
    if (!Buffer.isBuffer(rawBody))
      throw new BadRequestException('expected a JSON body (Content-Type: application/json)');
    return {
      received: true,
      outcome: await this.ingest.receiveWebhook(rawBody, signature, request.ip),
    };
  }
}
