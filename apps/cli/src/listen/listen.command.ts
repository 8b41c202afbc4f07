import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  OPERATIONS_API_PATHS,
  WEBHOOK_EVERY_EVENT,
  type CreatedWebhookEndpointV1,
} from '@aegis/contracts';
import { InvalidArgumentError, type Command } from 'commander';
import { CliError, EXIT_OK, EXIT_USAGE } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import type { CliEnvironment } from '../environment.js';
import {
  jsonOption,
  webhookEventList,
  wholeNumber,
  type JsonOption,
} from '../options/option-parsers.js';

export interface ListenCommand {
  readonly kind: 'listen';
  readonly forwardTo: string;
  readonly events: readonly string[];
  /** The local receiver's port; 0: any free one. */
  readonly port: number;
  readonly json: boolean;
}

interface ListenOptions extends JsonOption {
  readonly forwardTo: string;
  readonly events?: string[];
  readonly port?: number;
}

/** The headers of a delivery passed on to --forward-to, as the gateway sent them. */
const FORWARDED_HEADERS = [
  'content-type',
  'user-agent',
  'aegis-signature',
  'aegis-event-id',
  'aegis-delivery-id',
] as const;

function forwardUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('must be a URL, e.g. http://localhost:4242/webhooks');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('must be an http:// or https:// URL');
  return url.href;
}

/** `aegis listen --forward-to <url> [--events a,b] [--port <n>]`. */
export function defineListenCommand(
  program: Command,
  parsed: (command: ListenCommand) => void,
): void {
  program
    .command('listen')
    .summary('forward our signed outbound webhooks to a local URL while it runs')
    .description(
      'starts a local receiver, registers it on the gateway as a webhook endpoint (admin key; the gateway must allow private URLs, as npm start does), prints its signing secret once, forwards each delivery with its headers and body to --forward-to and answers the gateway with that status; Ctrl-C (or SIGTERM) deletes the endpoint',
    )
    .requiredOption(
      '--forward-to <url>',
      'where each delivery is POSTed (http or https)',
      forwardUrl,
    )
    .option(
      '--events <types>',
      'comma-separated event types (e.g. alert.payment_failed,billing.transaction.updated.v1), default *',
      webhookEventList,
    )
    .option('--port <port>', 'the local receiver’s port (default: a free one)', wholeNumber(1))
    .addOption(jsonOption())
    .action((options: ListenOptions) => {
      parsed({
        kind: 'listen',
        forwardTo: options.forwardTo,
        events: options.events ?? [WEBHOOK_EVERY_EVENT],
        port: options.port ?? 0,
        json: options.json === true,
      });
    });
}

export interface ListenEnvironment {
  readonly fetch: CliEnvironment['fetch'];
  readonly terminal: CliEnvironment['terminal'];
  /** Resolves when the listener is to stop (Ctrl-C or SIGTERM for the real process). */
  readonly interrupted: () => Promise<string>;
}

/** Resolves on the process's first SIGINT or SIGTERM, with its name. */
export function processInterruption(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function rawBodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** One delivery as `listen` reports it. */
export interface ForwardedDelivery {
  readonly event_id: string | null;
  readonly event_type: string | null;
  readonly delivery_id: string | null;
  /** The forward's status; null when --forward-to could not be reached. */
  readonly status: number | null;
  readonly error: string | null;
}

function eventTypeOf(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { type?: unknown };
    return typeof parsed.type === 'string' ? parsed.type : null;
  } catch {
    return null;
  }
}

/** `--> <type> <event id> [<status>]`, or why it could not be forwarded. */
export function formatDelivery(delivery: ForwardedDelivery): string {
  const what = `--> ${delivery.event_type ?? '(not JSON)'} ${delivery.event_id ?? '-'}`;
  return delivery.status === null
    ? `${what} [not forwarded: ${delivery.error ?? 'unknown error'}] answered 502`
    : `${what} [${delivery.status}]`;
}

class Forwarder {
  constructor(
    private readonly forwardTo: string,
    private readonly fetch: CliEnvironment['fetch'],
    private readonly report: (delivery: ForwardedDelivery) => void,
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await rawBodyOf(request);
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const delivery = {
      event_id: headers['aegis-event-id'] ?? null,
      event_type: eventTypeOf(body),
      delivery_id: headers['aegis-delivery-id'] ?? null,
    };
    try {
      const forwarded = await this.fetch(this.forwardTo, {
        method: request.method ?? 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      const answer = Buffer.from(await forwarded.arrayBuffer());
      response.writeHead(forwarded.status, {
        'content-type': forwarded.headers.get('content-type') ?? 'text/plain',
      });
      response.end(answer);
      this.report({ ...delivery, status: forwarded.status, error: null });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const reason = cause instanceof Error ? cause.message : String(cause);
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`aegis listen could not forward to ${this.forwardTo}: ${reason}`);
      this.report({ ...delivery, status: null, error: reason });
    }
  }
}

async function listenOn(server: Server, port: number): Promise<number> {
  server.listen(port, '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (error) {
    throw new CliError(
      `cannot listen on 127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)}`,
      EXIT_USAGE,
    );
  }
  return (server.address() as AddressInfo).port;
}

export async function runListenCommand(
  command: ListenCommand,
  { client, printer, newId }: CommandContext,
  { fetch, terminal, interrupted }: ListenEnvironment,
): Promise<number> {
  // Under --json, one JSON object a line (the endpoint, then each delivery), as they happen.
  const emit = (json: object, line: string): void =>
    terminal.out(command.json ? JSON.stringify(json) : line);
  const forwarder = new Forwarder(command.forwardTo, fetch, (delivery) =>
    emit({ object: 'forwarded_delivery', ...delivery }, formatDelivery(delivery)),
  );
  const server = createServer((request, response) => {
    forwarder.handle(request, response).catch(() => response.destroy());
  });
  const port = await listenOn(server, command.port);
  const stopped = interrupted();
  try {
    const { body: endpoint } = await client.post<CreatedWebhookEndpointV1>(
      OPERATIONS_API_PATHS.webhookEndpoints,
      { url: `http://127.0.0.1:${port}/`, events: command.events },
      { idempotencyKey: newId() },
    );
    try {
      emit(
        endpoint,
        `ready: webhook endpoint ${endpoint.id} (${command.events.join(',')}) forwards to ${command.forwardTo}`,
      );
      if (!command.json)
        terminal.out(
          `signing secret: ${endpoint.secret} (verify Aegis-Signature with it; shown once)`,
        );
      printer.note('Ctrl-C to stop: the endpoint is deleted');
      await stopped;
    } finally {
      await client.delete(OPERATIONS_API_PATHS.webhookEndpoint(endpoint.id));
      emit(
        { object: 'webhook_endpoint', id: endpoint.id, deleted: true },
        `deleted webhook endpoint ${endpoint.id}`,
      );
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
  return EXIT_OK;
}
