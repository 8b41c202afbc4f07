import { randomUUID } from 'node:crypto';
import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { RpcError, RpcRemoteError } from '@aegis/messaging';
import type { Response } from 'express';
import { isDomainException, problemTypeOf } from './domain-exception.js';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  /** The domain code of an expected failure (see DomainException). */
  code?: string;
  detail?: string;
  errorId?: string;
  errors?: { field: string; message: string }[];
}

/** Raised for invalid input; carries the fields at fault. */
export class InvalidInputException extends HttpException {
  constructor(readonly fieldErrors: { field: string; message: string }[]) {
    super('invalid request', HttpStatus.BAD_REQUEST);
  }
}

function domainProblemOf({
  code,
  status,
  message,
}: {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}): ProblemDetails {
  return {
    type: problemTypeOf(code),
    title: code.replaceAll('_', ' '),
    status,
    code,
    detail: message,
  };
}

function rpcStatus(error: RpcError): number {
  if (error instanceof RpcRemoteError) return error.status;
  return error.kind === 'timeout' ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.SERVICE_UNAVAILABLE;
}

/**
 * Every error leaves as RFC 9457 problem+json. Expected errors say what went
 * wrong and which field; anything unexpected is logged with an id and answered
 * with a generic 500 that carries only that id.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const problem = this.toProblem(exception);
    response.status(problem.status).type('application/problem+json').json(problem);
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof InvalidInputException) {
      return {
        type: 'about:blank',
        title: 'Invalid request',
        status: 400,
        detail: exception.fieldErrors.map((error) => `${error.field}: ${error.message}`).join('; '),
        errors: exception.fieldErrors,
      };
    }
    // A service's domain error over RPC reaches the caller as if this service had raised it.
    if (
      isDomainException(exception) ||
      (exception instanceof RpcRemoteError && exception.status < 500)
    )
      return domainProblemOf(exception);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message: unknown =
        typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const detail = Array.isArray(message)
        ? message.map(String).join('; ')
        : typeof message === 'string'
          ? message
          : exception.message;
      return {
        type: 'about:blank',
        title: HttpStatus[status]?.toString().replaceAll('_', ' ').toLowerCase() ?? 'error',
        status,
        detail,
      };
    }
    if (exception instanceof RpcError) {
      const status = rpcStatus(exception);
      return {
        type: 'about:blank',
        title: `upstream ${exception.kind}`,
        status,
        detail: exception.message,
      };
    }
    const errorId = randomUUID();
    this.logger.error(
      `unhandled error ${errorId}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return { type: 'about:blank', title: 'Internal Server Error', status: 500, errorId };
  }
}
