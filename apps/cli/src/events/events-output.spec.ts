import { describe, it, expect } from '@jest/globals';
import { formatBackfill, formatReceipt, formatReplay } from './events-output.js';
import type { StripeEventReceiptV1 } from '@aegis/contracts';

const receipt: StripeEventReceiptV1 = {
  eventId: 'evt_1',
  type: 'invoice.paid',
  stripeCreatedAt: '2026-11-01T10:00:00.000Z',
  livemode: false,
  receivedAt: '2026-11-01T10:00:01.000Z',
  receivedVia: 'webhook',
  deliveryCount: 2,
  publishedAt: null,
  replayCount: 0,
  appliedBy: [],
};

describe(formatReceipt.name, () => {
  it('says when an event is not published or applied yet', () => {
    expect(formatReceipt(receipt)).toStrictEqual([
      'evt_1  invoice.paid  created 2026-11-01T10:00:00.000Z',
      'received   2026-11-01T10:00:01.000Z via webhook, 2 webhook deliveries',
      'published  pending',
      'applied    by no service yet',
    ]);
  });

  it('lists the services that applied it, aligned', () => {
    const lines = formatReceipt({
      ...receipt,
      publishedAt: '2026-11-01T10:00:02.000Z',
      replayCount: 1,
      appliedBy: [
        {
          service: 'billing',
          outcome: 'applied',
          appliedAt: '2026-11-01T10:00:03.000Z',
          receipts: 1,
        },
        {
          service: 'subscriptions',
          outcome: 'ignored',
          appliedAt: '2026-11-01T10:00:04.000Z',
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
});

describe(formatReplay.name, () => {
  it('says how consumers treat the replay and what was not found', () => {
    expect(
      formatReplay({ forced: true, matched: 3, republished: 3, alreadyPending: 0, notFound: [] }),
    ).toStrictEqual([
      'replayed 3 of 3 matching events under new message ids: consumers apply them again',
    ]);
    expect(
      formatReplay({
        forced: false,
        matched: 2,
        republished: 1,
        alreadyPending: 1,
        notFound: ['evt_x'],
      }),
    ).toStrictEqual([
      'replayed 1 of 2 matching events under their event ids: consumers that already applied them skip them',
      '1 were still waiting to be published and go out once',
      'never received: evt_x',
    ]);
  });
});

describe(formatBackfill.name, () => {
  it('reports progress, the end, and a failure with its reason', () => {
    const run = {
      id: 'r1',
      done: false,
      since: null,
      pages: 2,
      seen: 200,
      ingested: 3,
      error: null,
      startedAt: '2026-11-20T10:00:00.000Z',
      updatedAt: '2026-11-20T10:00:05.000Z',
      finishedAt: null,
    } as const;
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
});
