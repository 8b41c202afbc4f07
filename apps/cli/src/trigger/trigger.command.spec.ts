import { describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine } from '../command-line.js';
import { TRIGGER_EVENT_TYPES, eventOf } from './trigger-scenarios.js';

function event(id: string, type: string, object: Record<string, unknown>): Stripe.Event {
  return { id, type, data: { object } } as unknown as Stripe.Event;
}

describe('aegis trigger: the command line', () => {
  it('supports at least the events the issue names', () => {
    expect(TRIGGER_EVENT_TYPES).toStrictEqual(
      expect.arrayContaining([
        'payment_intent.succeeded',
        'payment_intent.payment_failed',
        'charge.refunded',
        'checkout.session.completed',
        'invoice.payment_succeeded',
        'invoice.payment_failed',
        'customer.subscription.created',
        'customer.subscription.updated',
        'customer.subscription.deleted',
        'charge.dispute.created',
        'radar.early_fraud_warning.created',
      ]),
    );
    expect(
      parseCommandLine(['trigger', 'charge.refunded', '--json'], new FakeEnvironment().terminal),
    ).toMatchObject({ command: { kind: 'trigger', eventType: 'charge.refunded', json: true } });
  });

  it('an unknown event type exits 2 listing the supported ones, and calls nothing', async () => {
    const environment = new FakeEnvironment();
    expect(await runCli(['trigger', 'customer.exploded'], environment)).toBe(EXIT_USAGE);
    const said = environment.err.join('\n');
    expect(said).toMatch(/unsupported event type customer\.exploded; one of: /);
    for (const type of TRIGGER_EVENT_TYPES) expect(said).toContain(type);
    expect(environment.requests).toHaveLength(0);
  });
});

describe('eventOf', () => {
  it('the event of the type that names one of the objects made, not another’s', () => {
    const events = [
      event('evt_other', 'charge.dispute.created', { id: 'dp_1', payment_intent: 'pi_other' }),
      event('evt_ours', 'charge.dispute.created', { id: 'dp_2', payment_intent: 'pi_ours' }),
      event('evt_type', 'charge.refunded', { id: 'ch_ours', payment_intent: 'pi_ours' }),
    ];
    expect(eventOf(events, 'charge.dispute.created', { ids: ['pi_ours', 'ch_ours'] })?.id).toBe(
      'evt_ours',
    );
    // A prefix of another id is not a match.
    expect(eventOf(events, 'charge.dispute.created', { ids: ['pi_our'] })).toBeUndefined();
  });
});
