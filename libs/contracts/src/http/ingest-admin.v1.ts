/**
 * webhook-ingest's admin HTTP API (bearer `INGEST_ADMIN_TOKEN`), declared
 * once: the service answers with these shapes, the `aegis events` CLI and the
 * tests read them.
 */

export const INGEST_ADMIN_PATHS = {
  /** GET: everything known about one stored Stripe event. */
  eventReceipt: (eventId: string): string => `/admin/events/${encodeURIComponent(eventId)}`,
  /** POST a ReplayRequestV1: publish stored events again. */
  replay: '/admin/events/replay',
  /** POST a StartBackfillRequestV1: list Stripe's events and ingest those missing (202). */
  backfills: '/admin/backfills',
  /** GET: one backfill run's progress. */
  backfill: (runId: string): string => `/admin/backfills/${encodeURIComponent(runId)}`,
} as const;

export const RECEIVED_VIA = ['webhook', 'backfill'] as const;
export type ReceivedVia = (typeof RECEIVED_VIA)[number];

export const BACKFILL_STATUSES = ['running', 'done', 'failed'] as const;
export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];

export interface AppliedByV1 {
  readonly service: string;
  readonly outcome: string;
  readonly appliedAt: string;
  readonly receipts: number;
}

/** Everything known about one Stripe event: received, published, applied by whom. */
export interface StripeEventReceiptV1 {
  readonly eventId: string;
  readonly type: string;
  readonly stripeCreatedAt: string;
  readonly livemode: boolean;
  readonly receivedAt: string;
  readonly receivedVia: ReceivedVia;
  readonly deliveryCount: number;
  /** When the broker confirmed the latest publication; null while one is pending. */
  readonly publishedAt: string | null;
  readonly replayCount: number;
  readonly appliedBy: readonly AppliedByV1[];
}

/**
 * Which stored events to publish again: `eventIds`, or `type` and/or a range
 * of Stripe's `created` time (`from` inclusive, `to` exclusive). `force`
 * publishes under new message ids, past every consumer's inbox.
 */
export interface ReplayRequestV1 {
  readonly eventIds?: readonly string[];
  readonly type?: string;
  readonly from?: string;
  readonly to?: string;
  readonly force?: boolean;
}

export interface ReplayResultV1 {
  readonly forced: boolean;
  /** Stored events the selection matched. */
  readonly matched: number;
  /** Put in the outbox again. */
  readonly republished: number;
  /** Not forced, and a publication under the event's id still waits in the outbox: it goes out once. */
  readonly alreadyPending: number;
  /** Requested ids that were never received. */
  readonly notFound: readonly string[];
}

export interface StartBackfillRequestV1 {
  /** Stripe's events created at or after this time, instead of since the newest stored event. */
  readonly since?: string;
}

export interface BackfillRunV1 {
  readonly id: string;
  readonly status: BackfillStatus;
  readonly done: boolean;
  /** Lower bound of Stripe's `created` listed; null: everything Stripe still keeps (30 days). */
  readonly since: string | null;
  readonly pages: number;
  readonly seen: number;
  readonly ingested: number;
  readonly error: string | null;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}
