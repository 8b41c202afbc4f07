import { DomainException } from '@aegis/platform';

export enum WebhooksExceptionCode {
  WEBHOOK_ENDPOINT_NOT_FOUND = 'webhook_endpoint_not_found',
  WEBHOOK_DELIVERY_NOT_FOUND = 'webhook_delivery_not_found',
}

const STATUS: Readonly<Record<WebhooksExceptionCode, number>> = {
  [WebhooksExceptionCode.WEBHOOK_ENDPOINT_NOT_FOUND]: 404,
  [WebhooksExceptionCode.WEBHOOK_DELIVERY_NOT_FOUND]: 404,
};

/** An expected failure of the webhook routes, answered as problem+json with its code and status. */
export class WebhooksException extends DomainException<WebhooksExceptionCode> {
  constructor(code: WebhooksExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}
