import {
  Agent as HttpAgent,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import { GatewayException, GatewayExceptionCode } from '../gateway.exception.js';
import {
  CUSTOMER_ID_HEADER,
  callerResponseHeaders,
  isBilled,
  upstreamRequestHeaders,
  upstreamTargetOf,
} from './forwarding.js';
import type { ProxyCall } from './proxy-access.guard.js';
import { ProxyRoutes, type ProxyRoute } from './proxy-routes.js';
import { ProxyUsageMeter } from './proxy-usage-meter.js';

const CORRELATION_HEADER = 'x-correlation-id';

/** One call on its way: what the upstream events need to know of it. */
interface CallInFlight extends ProxyCall {
  /** The caller's path after `/proxy/{route}` (no query), as the usage event's endpoint. */
  readonly path: string;
  /** The upstream began its answer: from now on a failure can only cut the response. */
  answered: boolean;
}

class UpstreamTimeoutError extends Error {}

/**
 * Forwards admitted calls to their route's upstream with http-proxy-3, streaming both bodies.
 * The answer's status and headers are written here rather than by the library, so that its
 * end reaches the caller only once the call's usage is durable.
 */
@Injectable()
export class UpstreamProxy implements OnModuleDestroy {
  private readonly logger = new Logger(UpstreamProxy.name);
  private readonly proxy: ProxyServer = createProxyServer({
    xfwd: true,
    changeOrigin: true,
    selfHandleResponse: true,
  });
  private readonly calls = new WeakMap<IncomingMessage, CallInFlight>();
  /**
   * One agent per route: its socket timeout is the route's, and, unlike a request's own
   * timeout, also bounds connecting.
   */
  private readonly agents: ReadonlyMap<string, HttpAgent>;

  constructor(
    routes: ProxyRoutes,
    private readonly meter: ProxyUsageMeter,
  ) {
    this.agents = new Map(routes.all.map((route) => [route.name, agentOf(route)]));
    this.proxy.on('proxyReq', (upstreamRequest, request) => {
      this.onUpstreamRequest(upstreamRequest, request);
    });
    this.proxy.on('proxyRes', (upstreamResponse, request, response) => {
      this.onUpstreamResponse(upstreamResponse, request, response);
    });
  }

  /**
   * Resolves when the caller's response is over (answered, cut, or the caller gone); rejects
   * with a GatewayException (502, 504) when the upstream failed before answering.
   */
  forward(call: ProxyCall, request: Request, response: Response): Promise<void> {
    const { path, search } = upstreamTargetOf(request.originalUrl);
    const customerId = call.key.customerId;
    const correlationId = response.getHeader(CORRELATION_HEADER);
    const inFlight: CallInFlight = { ...call, path, answered: false };
    this.calls.set(request, inFlight);
    request.url = `${path}${search}`;
    request.headers = upstreamRequestHeaders(request.headers);
    return new Promise<void>((resolve, reject) => {
      response.once('close', resolve);
      this.proxy.web(
        request,
        response,
        {
          target: call.route.upstream,
          agent: this.agents.get(call.route.name),
          headers: {
            [CUSTOMER_ID_HEADER]: customerId,
            ...(typeof correlationId === 'string' ? { [CORRELATION_HEADER]: correlationId } : {}),
          },
        },
        (error) => {
          if (inFlight.answered || response.headersSent) response.destroy();
          else reject(this.problemOf(call.route, error));
        },
      );
    });
  }

  onModuleDestroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
  }

  private onUpstreamRequest(upstreamRequest: ClientRequest, request: IncomingMessage): void {
    const call = this.calls.get(request);
    if (call === undefined) return;
    upstreamRequest.once('timeout', () => {
      upstreamRequest.destroy(new UpstreamTimeoutError());
    });
  }

  private onUpstreamResponse(
    upstreamResponse: IncomingMessage,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    const call = this.calls.get(request);
    if (call === undefined) return;
    call.answered = true;
    const status = upstreamResponse.statusCode ?? 502;
    const metered = isBilled(call.route, status)
      ? this.meter.record(call, call.path, status)
      : Promise.resolve();
    response.statusCode = status;
    if (upstreamResponse.statusMessage !== undefined)
      response.statusMessage = upstreamResponse.statusMessage;
    for (const [name, value] of Object.entries(callerResponseHeaders(upstreamResponse.headers)))
      if (value !== undefined) response.setHeader(name, value);
    upstreamResponse.once('close', () => {
      if (!upstreamResponse.complete) response.destroy();
    });
    upstreamResponse.once('end', () => {
      void metered.then(() => response.end());
    });
    upstreamResponse.pipe(response, { end: false });
  }

  private problemOf(route: ProxyRoute, error: Error): GatewayException {
    if (error instanceof UpstreamTimeoutError)
      return new GatewayException(
        GatewayExceptionCode.UPSTREAM_TIMEOUT,
        `the upstream of route ${route.name} did not answer within ${route.timeoutMs} ms`,
      );
    const code = (error as NodeJS.ErrnoException).code ?? error.message;
    this.logger.warn(
      `proxy route ${route.name}: upstream ${route.upstream.origin} failed (${code})`,
    );
    return new GatewayException(
      GatewayExceptionCode.UPSTREAM_UNREACHABLE,
      `the upstream of route ${route.name} is unreachable`,
    );
  }
}

function agentOf(route: ProxyRoute): HttpAgent {
  const options = { keepAlive: false, timeout: route.timeoutMs };
  return route.upstream.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
}
