import { defined } from '@aegis/testing';
import type { CliEnvironment } from '../src/environment.js';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body; undefined when none was sent. */
  readonly body: unknown;
}

type Answer = { readonly response: () => Response } | { readonly failure: Error };

/**
 * A CliEnvironment for unit tests: a terminal that keeps its lines, the
 * variables and files given, and a fetch that records each request and gives
 * the queued answers in order (or a network error).
 */
export class FakeEnvironment implements CliEnvironment {
  readonly out: string[] = [];
  readonly err: string[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly cwd = '/srv/shop';
  readonly terminal = {
    out: (line: string): void => {
      this.out.push(line);
    },
    err: (line: string): void => {
      this.err.push(line);
    },
  };
  private readonly answers: Answer[] = [];
  private idempotencyKeys = 0;

  constructor(
    readonly variables: Record<string, string | undefined> = { AEGIS_API_KEY: 'ak_test_key' },
    private readonly files: Readonly<Record<string, string>> = {},
  ) {}

  readFile = (path: string): string | undefined => this.files[path];

  newIdempotencyKey = (): string => {
    this.idempotencyKeys += 1;
    return `generated-key-${this.idempotencyKeys}`;
  };

  sleep = (): Promise<void> => Promise.resolve();

  /** Queues a JSON answer (problem+json for 4xx and 5xx). */
  reply(status: number, body?: unknown, headers: Record<string, string> = {}): this {
    this.answers.push({
      response: () =>
        new Response(body === undefined ? null : JSON.stringify(body), {
          status,
          headers: {
            'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
            ...headers,
          },
        }),
    });
    return this;
  }

  /** Queues an answer whose body is this text, as is. */
  replyText(status: number, text: string): this {
    this.answers.push({
      response: () => new Response(text, { status, headers: { 'content-type': 'text/html' } }),
    });
    return this;
  }

  /** Queues what fetch rejects with when nothing answers (or too late). */
  failWith(failure: Error): this {
    this.answers.push({ failure });
    return this;
  }

  fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const url = input instanceof Request ? input.url : input.toString();
    this.requests.push({ method: init?.method ?? 'GET', url, headers, body });
    const answer = this.answers.shift();
    if (answer === undefined) return Promise.reject(new Error(`no answer queued for ${url}`));
    if ('failure' in answer) return Promise.reject(answer.failure);
    return Promise.resolve(answer.response());
  };

  /** The one request made, checked to be the only one. */
  get request(): RecordedRequest {
    if (this.requests.length !== 1)
      throw new Error(`expected one request, got ${this.requests.length}`);
    return defined(this.requests[0], 'the request');
  }
}

/** What fetch rejects with when `AbortSignal.timeout` fires (a DOMException, by name). */
export function timedOut(): Error {
  return Object.assign(new Error('The operation was aborted due to timeout'), {
    name: 'TimeoutError',
  });
}

/** What node's fetch throws when the connection is refused. */
export function connectionRefused(): Error {
  return new TypeError('fetch failed', {
    cause: new Error('connect ECONNREFUSED 127.0.0.1:3000'),
  });
}
