import { describe, it, expect } from '@jest/globals';
import type { StripeEventResourceV1 } from '@aegis/contracts';
import {
  formatBackfill,
  formatBackfillStart,
  formatReplay,
  formatStripeEvent,
} from './events-output.js';

const event: StripeEventResourceV1 = {
  id: 'evt_1',
  type: 'invoice.paid',
  stripe_created_at: '2026-11-01T10:00:00.000Z',
  livemode: false,
  received_at: '2026-11-01T10:00:01.000Z',
  received_via: 'webhook',
  delivery_count: 2,
  published_at: null,
  replay_count: 0,
  applied_by: [],
};

describe(formatStripeEvent.name, () => {
  it('says when an event is not published or applied yet', () => {
    expect(formatStripeEvent(event)).toStrictEqual([
      'evt_1  invoice.paid  created 2026-11-01T10:00:00.000Z',
      'received   2026-11-01T10:00:01.000Z via webhook, 2 webhook deliveries',
      'published  pending',
      'applied    by no service yet',
    ]);
  });

  it('lists the services that applied it, aligned', () => {
    const lines = formatStripeEvent({
      ...event,
      published_at: '2026-11-01T10:00:02.000Z',
      replay_count: 1,
      applied_by: [
        {
          service: 'billing',
          outcome: 'applied',
          applied_at: '2026-11-01T10:00:03.000Z',
          receipts: 1,
        },
        {
          service: 'subscriptions',
          outcome: 'ignored',
          applied_at: '2026-11-01T10:00:04.000Z',
          receipts: 2,
        },
      ],
    });
    expect(lines.slice(2)).toStrictEqual([
      'published  2026-11-01T10:00:02.000Z  (replayed 1x)',
      'applied by',
      '  billing        applied    2026-11-01T10:00:03.000Z',
      '  subscriptions  ignored    2026-11-01T10:00:04.000Z  (2 receipts)',
    ]);
  });

  it('marks a live event and a single delivery', () => {
    expect(
      formatStripeEvent({ ...event, livemode: true, delivery_count: 1 }).slice(0, 2),
    ).toStrictEqual([
      'evt_1  invoice.paid  created 2026-11-01T10:00:00.000Z  LIVE',
      'received   2026-11-01T10:00:01.000Z via webhook, 1 webhook delivery',
    ]);
  });
});

describe(formatReplay.name, () => {
  it('says how consumers treat the replay and what was not found', () => {
    expect(
      formatReplay({ forced: true, matched: 3, republished: 3, already_pending: 0, not_found: [] }),
    ).toStrictEqual([
      'replayed 3 of 3 matching events under new message ids: consumers apply them again',
    ]);
    expect(
      formatReplay({
        forced: false,
        matched: 2,
        republished: 1,
        already_pending: 1,
        not_found: ['evt_x'],
      }),
    ).toStrictEqual([
      'replayed 1 of 2 matching events under their event ids: consumers that already applied them skip them',
      '1 were still waiting to be published and go out once',
      'never received: evt_x',
    ]);
  });
});

describe(formatBackfill.name, () => {
  const run = {
    id: 'r1',
    done: false,
    since: null,
    pages: 2,
    seen: 200,
    ingested: 3,
    error: null,
    started_at: '2026-11-20T10:00:00.000Z',
    updated_at: '2026-11-20T10:00:05.000Z',
    finished_at: null,
  } as const;

  it('reports progress, the end, and a failure with its reason', () => {
    expect(formatBackfill({ ...run, status: 'running' })).toBe(
      'backfill r1: 2 pages, 200 events seen, 3 ingested',
    );
    expect(formatBackfill({ ...run, status: 'done', done: true })).toBe(
      'backfill r1 done: 2 pages, 200 events seen, 3 ingested',
    );
    expect(formatBackfill({ ...run, status: 'failed', error: 'Stripe said no' })).toBe(
      'backfill r1 failed after 2 pages, 200 events seen, 3 ingested: Stripe said no',
    );
  });

  it('says whether a backfill started or carries on an earlier one', () => {
    expect(formatBackfillStart({ ...run, status: 'running', pages: 0 })).toBe(
      'backfill r1 started',
    );
    expect(
      formatBackfillStart({ ...run, status: 'running', pages: 0, since: '2026-11-01T00:00:00Z' }),
    ).toBe('backfill r1 started, listing events since 2026-11-01T00:00:00Z');
    expect(formatBackfillStart({ ...run, status: 'running' })).toBe(
      'carrying on with backfill r1 after page 2',
    );
  });
});
