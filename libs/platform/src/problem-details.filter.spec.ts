import { describe, expect, it, jest } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { HttpException, Logger } from '@nestjs/common';
import { RpcRemoteError, RpcTimeoutError, RpcUnreachableError } from '@aegis/messaging';
import { ProblemDetailsFilter, type ProblemDetails } from './problem-details.filter.js';

/** What the filter answered: the status, the content type and the problem. */
function answerTo(exception: unknown): { status: number; type: string; body: ProblemDetails } {
  const answer: { status?: number; type?: string; body?: ProblemDetails } = {};
  const response = {
    status(code: number) {
      answer.status = code;
      return response;
    },
    type(contentType: string) {
      answer.type = contentType;
      return response;
    },
    // What Express's response and Fastify's reply both offer: the problem as JSON text.
    send(body: string) {
      answer.body = JSON.parse(body) as ProblemDetails;
      return response;
    },
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  if (answer.status === undefined || answer.type === undefined || answer.body === undefined)
    throw new Error('the filter did not answer');
  return { status: answer.status, type: answer.type, body: answer.body };
}

const ROUTE = 'billing.subscription.create.v1';

describe(ProblemDetailsFilter.name, () => {
  it('answers Stripe unreachable over RPC (a route that does not map it) as 503 stripe_unavailable, with its detail', () => {
    const { status, type, body } = answerTo(
      new RpcRemoteError(
        ROUTE,
        'stripe_unavailable',
        503,
        'Stripe is unavailable: connect ECONNREFUSED',
      ),
    );
    expect(status).toBe(503);
    expect(type).toBe('application/problem+json');
    expect(body).toEqual({
      type: 'urn:aegis:problem:stripe_unavailable',
      title: 'stripe unavailable',
      status: 503,
      code: 'stripe_unavailable',
      detail: 'Stripe is unavailable: connect ECONNREFUSED',
    });
  });

  it('answers Stripe refusing over RPC as 502 stripe_refused', () => {
    const { status, body } = answerTo(
      new RpcRemoteError(ROUTE, 'stripe_refused', 502, 'Stripe refused: resource_missing: gone'),
    );
    expect(status).toBe(502);
    expect(body).toMatchObject({
      status: 502,
      code: 'stripe_refused',
      type: 'urn:aegis:problem:stripe_refused',
      detail: 'Stripe refused: resource_missing: gone',
    });
  });

  it('answers Stripe’s errors thrown in this service (libs/stripe’s classes, known by their code and status) with their codes', () => {
    // libs/platform may not depend on libs/stripe: these have the shape of its StripeUnavailableError,
    // StripeCircuitOpenError and StripeRefusedError, whose codes and statuses libs/stripe's specs check.
    class StripeShapedError extends Error {
      constructor(
        readonly code: string,
        readonly status: number,
        message: string,
      ) {
        super(message);
      }
    }
    const unreachable = new StripeShapedError(
      'stripe_unavailable',
      503,
      'Stripe is unavailable: socket hang up',
    );
    expect(answerTo(unreachable)).toMatchObject({
      status: 503,
      body: { status: 503, code: 'stripe_unavailable', detail: unreachable.message },
    });
    const open = new StripeShapedError(
      'stripe_unavailable',
      503,
      'Stripe is unavailable: recent calls failed, so calls are refused for now',
    );
    expect(answerTo(open)).toMatchObject({
      status: 503,
      body: { status: 503, code: 'stripe_unavailable', detail: open.message },
    });
    const refused = new StripeShapedError(
      'stripe_refused',
      502,
      'Stripe refused: resource_missing: No such customer',
    );
    expect(answerTo(refused)).toMatchObject({
      status: 502,
      body: { status: 502, code: 'stripe_refused', detail: refused.message },
    });
    // None of them is taken for an unexpected error.
    for (const error of [unreachable, open, refused])
      expect(answerTo(error).body.errorId).toBeUndefined();
  });

  it('still answers other failures as before: a service’s 5xx, an RPC timeout or an unreachable service, code-less; a 4xx domain error with its code; anything else a 500 with an id', () => {
    expect(answerTo(new RpcRemoteError(ROUTE, 'internal', 500, 'boom'))).toMatchObject({
      status: 500,
      body: { title: 'upstream remote', status: 500, detail: 'boom' },
    });
    expect(answerTo(new RpcRemoteError(ROUTE, 'internal', 500, 'boom')).body.code).toBeUndefined();
    expect(answerTo(new RpcTimeoutError(ROUTE, 5_000))).toMatchObject({
      status: 504,
      body: { title: 'upstream timeout' },
    });
    const unreachable = answerTo(new RpcUnreachableError(ROUTE, 'no consumer'));
    expect(unreachable).toMatchObject({ status: 503, body: { title: 'upstream unreachable' } });
    expect(unreachable.body.code).toBeUndefined();
    expect(
      answerTo(new RpcRemoteError(ROUTE, 'customer_not_found', 404, 'no customer cust_x')),
    ).toMatchObject({ status: 404, body: { code: 'customer_not_found' } });
    expect(answerTo(new HttpException('gone', 410))).toMatchObject({
      status: 410,
      body: { detail: 'gone' },
    });
    // An error that merely has a code (a Node system error) is not taken for Stripe's.
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const system = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const unexpected = answerTo(system);
    expect(unexpected.status).toBe(500);
    expect(unexpected.body.errorId).toEqual(expect.any(String));
    expect(unexpected.body.code).toBeUndefined();
    expect(logged).toHaveBeenCalledTimes(1);
    logged.mockRestore();
  });
});
