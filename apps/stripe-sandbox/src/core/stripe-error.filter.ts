import { randomUUID } from 'node:crypto';
import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { StripeApiError, type StripeErrorBody } from './stripe-error.js';

/** Errors of the sandbox's Stripe API leave in Stripe's shape, so the SDK raises its own error classes. */
@Catch()
export class StripeErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(StripeErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.toStripeError(exception);
    response.status(status).json(body);
  }

  private toStripeError(exception: unknown): [number, StripeErrorBody] {
    if (exception instanceof StripeApiError) return [exception.status, exception.toJSON()];
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return [
        exception.getStatus(),
        { error: { type: 'invalid_request_error', message: exception.message } },
      ];
    }
    const errorId = randomUUID();
    this.logger.error(
      `unexpected error ${errorId}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );
    return [
      500,
      {
        error: {
          type: 'api_error',
          message: `An unexpected error occurred (error id ${errorId}).`,
        },
      },
    ];
  }
}
