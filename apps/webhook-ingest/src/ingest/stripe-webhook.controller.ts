import {
  BadRequestException,
  Controller,
  Headers,
  HttpCode,
  Post,
  Req,
  type RawBodyRequest,
} from '@nestjs/common';
import type { Request } from 'express';
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
    @Req() request: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<WebhookAnswer> {
    const rawBody = request.rawBody;
    if (rawBody === undefined)
      throw new BadRequestException('expected a JSON body (Content-Type: application/json)');
    return {
      received: true,
      outcome: await this.ingest.receiveWebhook(rawBody, signature, request.ip),
    };
  }
}
