import { DomainException } from '@aegis/platform';

export enum WebhookIngestExceptionCode {
  EVENT_NOT_FOUND = 'event_not_found',
  BACKFILL_NOT_FOUND = 'backfill_not_found',
  BACKFILL_RUNNING = 'backfill_running',
}

const STATUS: Readonly<Record<WebhookIngestExceptionCode, number>> = {
  [WebhookIngestExceptionCode.EVENT_NOT_FOUND]: 404,
  [WebhookIngestExceptionCode.BACKFILL_NOT_FOUND]: 404,
  [WebhookIngestExceptionCode.BACKFILL_RUNNING]: 409,
};

/** An expected failure of webhook-ingest's RPC routes (receipts, replay, backfill). */
export class WebhookIngestException extends DomainException<WebhookIngestExceptionCode> {
  constructor(code: WebhookIngestExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}
