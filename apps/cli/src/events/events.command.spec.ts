import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEventsCommand } from './events.command.js';
import { CliError, EXIT_USAGE } from './ingest-admin.client.js';

function usageErrorOf(args: string[]): string {
  try {
    parseEventsCommand(args);
  } catch (error) {
    assert.ok(error instanceof CliError);
    assert.equal(error.exitCode, EXIT_USAGE);
    return error.message;
  }
  assert.fail(`${args.join(' ')} was accepted`);
}

describe(parseEventsCommand.name, () => {
  it('reads show, replay and backfill', () => {
    assert.deepEqual(parseEventsCommand(['show', 'evt_1']), {
      kind: 'show',
      eventId: 'evt_1',
      json: false,
    });
    assert.deepEqual(parseEventsCommand(['replay', '--id', 'evt_1', '--id', 'evt_2', '--force']), {
      kind: 'replay',
      request: { eventIds: ['evt_1', 'evt_2'], force: true },
      json: false,
    });
    assert.deepEqual(
      parseEventsCommand([
        'replay',
        '--type',
        'invoice.paid',
        '--from',
        '2026-01-01T00:00:00Z',
        '--json',
      ]),
      {
        kind: 'replay',
        request: { type: 'invoice.paid', from: '2026-01-01T00:00:00Z' },
        json: true,
      },
    );
    assert.deepEqual(parseEventsCommand(['backfill', '--since', '2026-01-01T00:00:00Z']), {
      kind: 'backfill',
      since: '2026-01-01T00:00:00Z',
      json: false,
    });
  });

  it('explains what is wrong with a command line', () => {
    assert.match(usageErrorOf([]), /needs a command/);
    assert.match(usageErrorOf(['list']), /unknown command: events list/);
    assert.match(usageErrorOf(['show']), /exactly one event id/);
    assert.match(usageErrorOf(['replay']), /needs --id/);
    assert.match(
      usageErrorOf(['replay', '--id', 'evt_1', '--type', 'invoice.paid']),
      /cannot be combined/,
    );
    assert.match(usageErrorOf(['replay', '--type']), /--type/);
    assert.match(usageErrorOf(['backfill', '--everything']), /--everything/);
  });
});
