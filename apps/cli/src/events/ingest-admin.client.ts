/** A failure to report to the user: one line, and the exit code it ends with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface AppliedBy {
  readonly service: string;
  readonly outcome: string;
  readonly appliedAt: string;
  readonly receipts: number;
}

export interface EventReceipt {
  readonly eventId: string;
  readonly type: string;
  readonly stripeCreatedAt: string;
  readonly livemode: boolean;
  readonly receivedAt: string;
  readonly receivedVia: string;
  readonly deliveryCount: number;
  readonly publishedAt: string | null;
  readonly replayCount: number;
  readonly appliedBy: readonly AppliedBy[];
}

export interface ReplayRequest {
  readonly eventIds?: readonly string[];
  readonly type?: string;
  readonly from?: string;
  readonly to?: string;
  readonly force?: boolean;
}

export interface ReplayResult {
  readonly forced: boolean;
  readonly matched: number;
  readonly republished: number;
  readonly alreadyPending: number;
  readonly notFound: readonly string[];
}

export interface BackfillRun {
  readonly id: string;
  readonly status: 'running' | 'done' | 'failed';
  readonly done: boolean;
  readonly since: string | null;
  readonly pages: number;
  readonly seen: number;
  readonly ingested: number;
  readonly error: string | null;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** A replay of a whole type may put many thousands of events back in the outbox. */
const REPLAY_TIMEOUT_MS = 10 * 60_000;

function detailOf(body: string): string | undefined {
  try {
    const problem = JSON.parse(body) as { detail?: unknown };
    return typeof problem.detail === 'string' ? problem.detail : undefined;
  } catch {
    return undefined;
  }
}

/** webhook-ingest's admin API, as the CLI uses it. */
export class IngestAdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** The event's receipt, or null if webhook-ingest never received it. */
  async receipt(eventId: string): Promise<EventReceipt | null> {
    return this.request<EventReceipt>('GET', `/admin/events/${encodeURIComponent(eventId)}`, {
      notFoundAsNull: true,
    });
  }

  async replay(request: ReplayRequest): Promise<ReplayResult> {
    const result = await this.request<ReplayResult>('POST', '/admin/events/replay', {
      body: request,
      timeoutMs: REPLAY_TIMEOUT_MS,
    });
    if (result === null) throw new CliError('webhook-ingest has no replay route', EXIT_FAILURE);
    return result;
  }

  async startBackfill(since: string | undefined): Promise<BackfillRun> {
    const run = await this.request<BackfillRun>('POST', '/admin/backfills', {
      body: since === undefined ? {} : { since },
    });
    if (run === null) throw new CliError('webhook-ingest has no backfill route', EXIT_FAILURE);
    return run;
  }

  async backfill(runId: string): Promise<BackfillRun> {
    const run = await this.request<BackfillRun>('GET', `/admin/backfills/${runId}`);
    if (run === null) throw new CliError(`backfill ${runId} is gone`, EXIT_FAILURE);
    return run;
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; timeoutMs?: number; notFoundAsNull?: boolean } = {},
  ): Promise<T | null> {
    const url = new URL(path, this.baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new CliError(`cannot reach webhook-ingest at ${this.baseUrl}: ${reason}`, EXIT_FAILURE);
    }
    const text = await response.text();
    if (response.status === 404 && options.notFoundAsNull === true) return null;
    if (!response.ok) {
      const detail = detailOf(text) ?? (text.trim() === '' ? response.statusText : text.trim());
      const hint = response.status === 401 ? ' (check INGEST_ADMIN_TOKEN)' : '';
      throw new CliError(
        `webhook-ingest answered ${response.status}: ${detail}${hint}`,
        EXIT_FAILURE,
      );
    }
    return JSON.parse(text) as T;
  }
}
