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

/**
 * Stripe's failures, whichever service met them: Stripe refused (502) or could
 * not be reached, is failing or its breaker is open (503). The codes of
 * libs/stripe's StripeRefusedError, StripeUnavailableError and
 * StripeCircuitOpenError, which travel over RPC under the same codes.
 */
const STRIPE_FAILURE_STATUS: Readonly<Record<string, number>> = {
  stripe_refused: HttpStatus.BAD_GATEWAY,
  stripe_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * A Stripe failure that reached the filter unmapped: another service's over
 * RPC, or one of libs/stripe's errors thrown here (recognized by its code, so
 * that this library need not depend on Stripe's SDK).
 */
function stripeFailureOf(
  exception: unknown,
): { readonly code: string; readonly status: number; readonly message: string } | undefined {
  if (!(exception instanceof Error)) return undefined;
  const code: unknown = (exception as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  const status = STRIPE_FAILURE_STATUS[code];
  return status === undefined ? undefined : { code, status, message: exception.message };
}

function rpcStatus(error: RpcError): number {
  if (error instanceof RpcRemoteError) return error.status;
  return error.kind === 'timeout' ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.SERVICE_UNAVAILABLE;
}

/**
 * Every error leaves as RFC 9457 problem+json. Expected errors say what went
 * wrong and which field; Stripe's failures (`stripe_unavailable` 503,
 * `stripe_refused` 502) carry their code on every route, mapped or not;
 * anything unexpected is logged with an id and answered with a generic 500
 * that carries only that id.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    sendProblem(
      host.switchToHttp().getResponse<ProblemResponse>(),
      toProblemDetails(exception, this.logger),
    );
  }
}

/** What Express's response and Fastify's reply both offer. */
export interface ProblemResponse {
  status(code: number): { type(mediaType: string): { send(body: string): unknown } };
}

export function sendProblem(response: ProblemResponse, problem: ProblemDetails): void {
  response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** The problem+json an exception is answered with; an unexpected one is logged under the id it carries. */
export function toProblemDetails(exception: unknown, logger: Logger): ProblemDetails {
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
  const stripeFailure = stripeFailureOf(exception);
  if (stripeFailure !== undefined) return domainProblemOf(stripeFailure);
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
  logger.error(
    `unhandled error ${errorId}`,
    exception instanceof Error ? exception.stack : String(exception),
  );
  return { type: 'about:blank', title: 'Internal Server Error', status: 500, errorId };
}
