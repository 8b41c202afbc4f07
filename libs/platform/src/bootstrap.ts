import 'reflect-metadata';
import { EnvValidationError, SERVICE_ENV, type HttpServiceEnv } from '@aegis/config';
import type { AmqpServer } from '@aegis/messaging';
import { JsonLogger, newCorrelationId, withCorrelationId } from '@aegis/observability';
import type { IncomingMessage, Server } from 'node:http';
import {
  HttpException,
  Logger,
  type INestApplication,
  type NestApplicationOptions,
} from '@nestjs/common';
import type { FastifyError } from 'fastify';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NextFunction, Request, Response } from 'express';
import { SERVICE_TRANSPORT } from './platform.module.js';
import { sendProblem, toProblemDetails } from './problem-details.filter.js';

/** A JSON body limit of its own for the paths under one prefix. */
export interface JsonBodyLimit {
  /** A path prefix, e.g. '/api/v1/usage' (the path itself and every path under it). */
  readonly path: string;
  /** The largest JSON body accepted there (bytes, or e.g. '5mb'); a bigger one is a 413. */
  readonly limit: number | string;
}

export interface ServiceOptions {
  /** The largest JSON body accepted (bytes, or e.g. '1mb'); a bigger one is a 413. Default: Express's 100 KiB. */
  readonly jsonBodyLimit?: number | string;
  /**
   * Path prefixes whose JSON bodies have a limit other than `jsonBodyLimit` (a route that takes
   * batches, say). The first prefix a path is under decides. Default: none.
   */
  readonly jsonBodyLimits?: readonly JsonBodyLimit[];
  /**
   * Path prefixes (e.g. '/proxy') whose request bodies no body parser reads, so that their
   * handlers can stream them on untouched. Default: none.
   */
  readonly unparsedBodyPaths?: readonly string[];
  /** Runs on the created application before it listens, e.g. to mount API docs. */
  readonly beforeListen?: (app: NestExpressApplication) => void | Promise<void>;
}

export interface RunningService {
  readonly app: NestExpressApplication;
  readonly url: string;
}

/**
 * A service on Fastify rather than Express: for one whose hot route is worth
 * the lower cost per request (webhook-ingest). Every route gets the same
 * correlation ids, problem+json errors, filters and interceptors.
 */
export interface FastifyServiceOptions {
  /** The largest request body accepted, in bytes; a bigger one is a 413. */
  readonly bodyLimitBytes: number;
  /**
   * Path prefixes whose JSON bodies are left as the Buffer they came as (`request.body`), for a
   * handler that verifies the bytes and parses them once itself (signed webhooks).
   */
  readonly rawJsonBodyPaths?: readonly string[];
}

const CORRELATION_HEADER = 'x-correlation-id';

/** The caller's correlation id if it is a sane one, else a new one. */
function correlationIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : newCorrelationId();
}

function correlate(request: Request, response: Response, next: NextFunction): void {
  const correlationId = correlationIdOf(request.headers[CORRELATION_HEADER]);
  response.setHeader(CORRELATION_HEADER, correlationId);
  withCorrelationId(correlationId, next);
}

/**
 * Creates and starts a service: HTTP on its port, the broker transport if it
 * has one, shutdown hooks. A configuration error rejects with an error naming
 * the variable.
 */
export async function startService(
  appModule: object,
  service: string,
  options: ServiceOptions = {},
): Promise<RunningService> {
  const logger = new JsonLogger(service);
  const app = await NestFactory.create<NestExpressApplication>(appModule, {
    ...serviceApplicationOptions(logger),
    abortOnError: false,
  });
  return listenAsService(app, logger, service, options);
}

/** How every service's Nest application is created (also by tests, through @nestjs/testing). */
export function serviceApplicationOptions(logger: JsonLogger): NestApplicationOptions {
  return { logger, bufferLogs: true, rawBody: true };
}

/**
 * Everything a service adds to its created application before and while it
 * starts (logging, correlation ids, body limits, shutdown hooks, the broker
 * transport, HTTP on its port), whoever created it.
 */
export async function listenAsService(
  app: NestExpressApplication,
  logger: JsonLogger,
  service: string,
  options: ServiceOptions = {},
): Promise<RunningService> {
  logger.setLevel(app.get<HttpServiceEnv>(SERVICE_ENV).LOG_LEVEL);
  app.useLogger(logger);
  app.use(correlate);
  useBodyParsers(app, options);
  await options.beforeListen?.(app);
  return { app, url: await listenWithTransport(app, logger, service) };
}

/** `startService` on Fastify (see FastifyServiceOptions). */
export async function startFastifyService(
  appModule: object,
  service: string,
  options: FastifyServiceOptions,
): Promise<{ readonly app: NestFastifyApplication; readonly url: string }> {
  const logger = new JsonLogger(service);
  const app = await NestFactory.create<NestFastifyApplication>(
    appModule,
    new FastifyAdapter({ bodyLimit: options.bodyLimitBytes }),
    // Bodies are parsed below, each once: no copy of the raw bytes is kept beside them.
    { ...serviceApplicationOptions(logger), rawBody: false, abortOnError: false },
  );
  logger.setLevel(app.get<HttpServiceEnv>(SERVICE_ENV).LOG_LEVEL);
  app.useLogger(logger);
  const fastify = app.getHttpAdapter().getInstance();
  // After the body is read, so the handler runs inside the correlation id's context.
  fastify.addHook('preHandler', (request, reply, done) => {
    const correlationId = correlationIdOf(request.headers[CORRELATION_HEADER]);
    void reply.header(CORRELATION_HEADER, correlationId);
    withCorrelationId(correlationId, done);
  });
  const rawPaths = (options.rawJsonBodyPaths ?? []).map((prefix) => prefix.toLowerCase());
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<Server>(
    'application/json',
    { bodyLimit: options.bodyLimitBytes },
    (request, body, done) => {
      if (isUnder(request, rawPaths)) done(null, body);
      else void parseJson(request, body.toString('utf8'), done);
    },
  );
  // Refusals before a route is reached (too large, not JSON, unsupported media type).
  const httpLogger = new Logger('http');
  fastify.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    sendProblem(
      reply,
      toProblemDetails(status < 500 ? new HttpException(error.message, status) : error, httpLogger),
    );
  });
  return { app, url: await listenWithTransport(app, logger, service) };
}

/** Shutdown hooks, the broker transport, then HTTP on the service's port; answers its URL. */
async function listenWithTransport(
  app: INestApplication,
  logger: JsonLogger,
  service: string,
): Promise<string> {
  const env = app.get<HttpServiceEnv>(SERVICE_ENV);
  app.enableShutdownHooks();
  const transport = app.get<AmqpServer | null>(SERVICE_TRANSPORT);
  if (transport !== null) {
    // Not inheriting the HTTP pipes and filters: messages are validated against their contracts by the transport.
    app.connectMicroservice({ strategy: transport });
    await app.startAllMicroservices();
  }
  await app.listen(env.PORT, env.HOST);
  const address = (app.getHttpServer() as Server).address();
  const port = typeof address === 'object' && address !== null ? address.port : env.PORT;
  const url = `http://127.0.0.1:${port}`;
  logger.log(`${service} listening on ${url}`);
  return url;
}

/** The media type of a request (`application/json` of `application/json; charset=utf-8`). */
function mediaTypeOf(request: IncomingMessage): string | undefined {
  return request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
}

function isUnder(request: { readonly url?: string }, prefixes: readonly string[]): boolean {
  // Express matches routes case-insensitively, so the prefixes are compared so too.
  const path = (request.url ?? '').split('?', 1)[0]?.toLowerCase() ?? '';
  return prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * The JSON parsers (one per path prefix with a limit of its own, then one with the service's
 * limit for every other path) and, where some paths keep their bodies unread, parsers that pass
 * those paths by. Each is the JSON (or urlencoded) parser Nest itself would register, with its
 * raw body kept; at most one of them reads any request. Nest registers its default parsers at
 * init only for the kinds not registered here.
 */
function useBodyParsers(app: NestExpressApplication, options: ServiceOptions): void {
  const limit = options.jsonBodyLimit === undefined ? {} : { limit: options.jsonBodyLimit };
  const unparsed = (options.unparsedBodyPaths ?? []).map((prefix) => prefix.toLowerCase());
  const ownLimits = (options.jsonBodyLimits ?? []).map((own) => ({
    prefix: own.path.toLowerCase(),
    limit: own.limit,
  }));
  if (unparsed.length === 0 && ownLimits.length === 0) {
    if (options.jsonBodyLimit !== undefined) app.useBodyParser('json', limit);
    return;
  }
  const isJson = (request: IncomingMessage): boolean =>
    mediaTypeOf(request) === 'application/json' && !isUnder(request, unparsed);
  ownLimits.forEach(({ prefix, limit: ownLimit }, index) => {
    const earlier = ownLimits.slice(0, index).map((own) => own.prefix);
    app.useBodyParser('json', {
      limit: ownLimit,
      type: (request: IncomingMessage) =>
        isJson(request) && isUnder(request, [prefix]) && !isUnder(request, earlier),
    });
  });
  const withOwnLimit = ownLimits.map((own) => own.prefix);
  app.useBodyParser('json', {
    ...limit,
    type: (request: IncomingMessage) => isJson(request) && !isUnder(request, withOwnLimit),
  });
  if (unparsed.length === 0) return;
  app.useBodyParser('urlencoded', {
    extended: true,
    type: (request: IncomingMessage) =>
      mediaTypeOf(request) === 'application/x-www-form-urlencoded' && !isUnder(request, unparsed),
  });
}

/** `main.ts` of every app: start, or explain in one line why not and exit non-zero. */
export function runService(appModule: object, service: string, options?: ServiceOptions): void {
  exitIfNotStarted(service, startService(appModule, service, options));
}

/** `main.ts` of an app on Fastify (see FastifyServiceOptions). */
export function runFastifyService(
  appModule: object,
  service: string,
  options: FastifyServiceOptions,
): void {
  exitIfNotStarted(service, startFastifyService(appModule, service, options));
}

function exitIfNotStarted(service: string, starting: Promise<unknown>): void {
  starting.catch((error: unknown) => {
    const reason =
      error instanceof EnvValidationError
        ? error.message
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`${service} failed to start: ${reason}\n`);
    process.exit(1);
  });
}
