import { describe, it, expect } from '@jest/globals';
import { INGEST_STRIPE_EVENT_REPLAY_V1, MAX_REPLAY_EVENT_IDS } from '@aegis/contracts';
import { InvalidPayloadError, toValidPayload } from '@aegis/messaging';
import { thrownBy } from '@aegis/testing';

/** The request as webhook-ingest's RPC server validates it before the handler sees it. */
function validated(request: object): object {
  return toValidPayload(
    INGEST_STRIPE_EVENT_REPLAY_V1.name,
    INGEST_STRIPE_EVENT_REPLAY_V1.request,
    request,
  );
}

function problemsOf(request: object): readonly string[] {
  return thrownBy(() => validated(request), InvalidPayloadError).problems;
}

describe('the replay request (ingest.stripe_event.replay.v1)', () => {
  it('accepts ids, a type, a range, or a type within a range', () => {
    expect(() => validated({ eventIds: ['evt_1', 'evt_2'], force: true })).not.toThrow();
    expect(() => validated({ type: 'invoice.paid' })).not.toThrow();
    expect(() => validated({ from: '2026-01-01T00:00:00Z' })).not.toThrow();
    expect(() =>
      validated({ type: 'invoice.paid', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }),
    ).not.toThrow();
    expect(() =>
      validated({ eventIds: Array.from({ length: MAX_REPLAY_EVENT_IDS }, () => 'evt_1') }),
    ).not.toThrow();
  });

  it('names the field at fault when nothing, too much or an empty range is asked for', () => {
    expect(problemsOf({})).toStrictEqual([
      'eventIds: give eventIds, or a type and/or a from/to range',
    ]);
    expect(problemsOf({ eventIds: ['evt_1'], type: 'invoice.paid' })).toStrictEqual([
      'type cannot be combined with eventIds',
    ]);
    expect(
      problemsOf({ eventIds: ['evt_1'], from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }),
    ).toStrictEqual([
      'from cannot be combined with eventIds',
      'to cannot be combined with eventIds',
    ]);
    expect(problemsOf({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toStrictEqual([
      'to must be later than from',
    ]);
    expect(problemsOf({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toStrictEqual([
      'to must be later than from',
    ]);
  });

  it('refuses malformed ids, too many ids, and dates that are not ISO 8601', () => {
    const eventIdsProblem = `eventIds must be 1 to ${MAX_REPLAY_EVENT_IDS} Stripe event ids (evt_…)`;
    expect(problemsOf({ eventIds: ['not-an-event'] })).toStrictEqual([eventIdsProblem]);
    expect(problemsOf({ eventIds: [] })).toStrictEqual([eventIdsProblem]);
    expect(problemsOf({ eventIds: 'evt_1' })).toStrictEqual([eventIdsProblem]);
    expect(
      problemsOf({ eventIds: Array.from({ length: MAX_REPLAY_EVENT_IDS + 1 }, () => 'evt_1') }),
    ).toStrictEqual([eventIdsProblem]);
    expect(problemsOf({ from: 'yesterday', to: '2026-01-01T00:00:00Z' })).toStrictEqual([
      'from must be a valid ISO 8601 date string',
    ]);
    expect(problemsOf({ type: 'Invoice Paid' })).toStrictEqual([
      'type must be a Stripe event type, e.g. invoice.paid',
    ]);
    expect(problemsOf({ type: 'invoice.paid', force: 'yes' })).toStrictEqual([
      'force must be a boolean value',
    ]);
  });
});
