import {
  INGEST_ADMIN_PATHS,
  type BackfillRunV1,
  type ReplayRequestV1,
  type ReplayResultV1,
  type StripeEventReceiptV1,
} from '@aegis/contracts';
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
  async receipt(eventId: string): Promise<StripeEventReceiptV1 | null> {
    return this.request<StripeEventReceiptV1>('GET', INGEST_ADMIN_PATHS.eventReceipt(eventId), {
      notFoundAsNull: true,
    });
  }

  async replay(request: ReplayRequestV1): Promise<ReplayResultV1> {
    const result = await this.request<ReplayResultV1>('POST', INGEST_ADMIN_PATHS.replay, {
      body: request,
      timeoutMs: REPLAY_TIMEOUT_MS,
    });
    if (result === null) throw new CliError('webhook-ingest has no replay route', EXIT_FAILURE);
    return result;
  }

  async startBackfill(since: string | undefined): Promise<BackfillRunV1> {
    const run = await this.request<BackfillRunV1>('POST', INGEST_ADMIN_PATHS.backfills, {
      body: since === undefined ? {} : { since },
    });
    if (run === null) throw new CliError('webhook-ingest has no backfill route', EXIT_FAILURE);
    return run;
  }

  async backfill(runId: string): Promise<BackfillRunV1> {
    const run = await this.request<BackfillRunV1>('GET', INGEST_ADMIN_PATHS.backfill(runId));
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
