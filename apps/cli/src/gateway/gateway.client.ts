import { STATUS_CODES } from 'node:http';
import type { ListQueryV1, ProblemV1 } from '@aegis/contracts';
import { CliError, EXIT_REFUSED, EXIT_UNREACHABLE } from '../cli-error.js';
import type { CliEnvironment } from '../environment.js';
import type { GatewaySettings } from '../settings/gateway-settings.js';

const REQUEST_TIMEOUT_MS = 30_000;

export interface GatewayAnswer<T> {
  readonly status: number;
  /** The answer's JSON, trusted to have the public API's shape; undefined for an empty body. */
  readonly body: T;
}

/** The gateway answered 4xx or 5xx. */
export class GatewayRefusal extends CliError {
  constructor(
    readonly status: number,
    /** The answer's JSON (usually a ProblemV1), or undefined when it was not JSON. */
    readonly body: unknown,
    lines: readonly string[],
  ) {
    const [message = `the gateway answered ${status}`, ...details] = lines;
    super(message, EXIT_REFUSED, details);
    this.name = 'GatewayRefusal';
  }
}

export interface PostOptions {
  /** Sent as `Idempotency-Key`; a fresh one per call when absent. */
  readonly idempotencyKey?: string;
  readonly timeoutMs?: number;
}

/** A query string's parameters; undefined ones are left out. */
export type QueryParameters = Readonly<Record<string, string | number | boolean | undefined>>;

function withQuery(path: string, query: QueryParameters): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined) search.set(name, String(value));
  const queryString = search.toString();
  return queryString === '' ? path : `${path}?${queryString}`;
}

function isProblem(value: unknown): value is ProblemV1 {
  return (
    typeof value === 'object' &&
    value !== null &&
    'title' in value &&
    typeof value.title === 'string' &&
    'status' in value &&
    typeof value.status === 'number'
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * What to print for a refusal: `title` and `detail`, each field at fault,
 * then what can be done about it. Never the key.
 */
export function describeRefusal(
  response: { readonly status: number; readonly statusText: string; readonly headers: Headers },
  body: unknown,
  text: string,
  settings: Pick<GatewaySettings, 'apiKeySource'>,
): string[] {
  const lines: string[] = [];
  if (isProblem(body)) {
    const detail =
      body.detail === undefined || body.detail === '' || body.detail === body.title
        ? ''
        : `: ${body.detail}`;
    lines.push(`the gateway answered ${response.status} ${body.title}${detail}`);
    for (const error of body.errors ?? []) lines.push(`  ${error.field}: ${error.message}`);
  } else {
    const shown = text.trim().replace(/\s+/g, ' ').slice(0, 200);
    const statusText = response.statusText || (STATUS_CODES[response.status] ?? '');
    lines.push(
      `the gateway answered ${response.status} ${statusText}`.trimEnd() +
        (shown === '' ? '' : `: ${shown}`),
    );
  }
  if (response.status === 401)
    lines.push(`  check the API key (it came from ${settings.apiKeySource})`);
  const retryAfter = response.headers.get('retry-after');
  if (response.status === 429 && retryAfter !== null)
    lines.push(`  rate limited: retry after ${retryAfter} s`);
  const requestId = response.headers.get('x-correlation-id');
  if (response.status >= 500 && requestId !== null) lines.push(`  request id ${requestId}`);
  return lines;
}

/** The gateway's public API, as the CLI calls it: one bearer key, JSON in and out. */
export class GatewayClient {
  constructor(
    private readonly settings: GatewaySettings,
    private readonly environment: Pick<CliEnvironment, 'fetch' | 'newIdempotencyKey'>,
  ) {}

  /** `query`'s defined values become the query string, in their order. */
  get<T>(path: string, query: ListQueryV1 | QueryParameters = {}): Promise<GatewayAnswer<T>> {
    // A copy: an interface (ListQueryV1 and its extensions) has no index signature.
    return this.request<T>('GET', withQuery(path, { ...query }), undefined, {});
  }

  /** Every POST carries an `Idempotency-Key`, so that retrying it by hand is safe. */
  post<T>(
    path: string,
    body: object | undefined,
    options: PostOptions = {},
  ): Promise<GatewayAnswer<T>> {
    return this.request<T>('POST', path, body, this.idempotencyHeader(options), options.timeoutMs);
  }

  /** A PUT carries an `Idempotency-Key` as a POST does. */
  put<T>(path: string, body: object, options: PostOptions = {}): Promise<GatewayAnswer<T>> {
    return this.request<T>('PUT', path, body, this.idempotencyHeader(options), options.timeoutMs);
  }

  delete<T>(path: string, query: QueryParameters = {}): Promise<GatewayAnswer<T>> {
    return this.request<T>('DELETE', withQuery(path, query), undefined, {});
  }

  private idempotencyHeader(options: PostOptions): Record<string, string> {
    return { 'idempotency-key': options.idempotencyKey ?? this.environment.newIdempotencyKey() };
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body: object | undefined,
    headers: Record<string, string>,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<GatewayAnswer<T>> {
    let response: Response;
    let text: string;
    try {
      response = await this.environment.fetch(`${this.settings.url}${path}`, {
        method,
        headers: {
          accept: 'application/json, application/problem+json',
          authorization: `Bearer ${this.settings.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw this.unreachable(error, timeoutMs);
    }
    const parsed = text === '' ? undefined : parseJson(text);
    if (!response.ok)
      throw new GatewayRefusal(
        response.status,
        parsed,
        describeRefusal(response, parsed, text, this.settings),
      );
    if (text !== '' && parsed === undefined)
      throw new CliError(
        `the gateway answered ${response.status} with something that is not JSON`,
        EXIT_REFUSED,
      );
    return { status: response.status, body: parsed as T };
  }

  private unreachable(error: unknown, timeoutMs: number): CliError {
    // AbortSignal.timeout rejects with a DOMException, which need not be an Error.
    if (
      typeof error === 'object' &&
      error !== null &&
      'name' in error &&
      error.name === 'TimeoutError'
    )
      return new CliError(
        `the gateway at ${this.settings.url} did not answer within ${timeoutMs / 1000} s`,
        EXIT_UNREACHABLE,
      );
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new CliError(
      `cannot reach the gateway at ${this.settings.url}: ${reason}`,
      EXIT_UNREACHABLE,
    );
  }
}
