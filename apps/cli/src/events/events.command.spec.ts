import { describe, it, expect } from '@jest/globals';
import { thrownBy } from '@aegis/testing';
import { parseEventsCommand } from './events.command.js';
import { CliError, EXIT_USAGE } from './ingest-admin.client.js';

function usageErrorOf(args: string[]): string {
  const error = thrownBy(() => parseEventsCommand(args), CliError);
  expect(error.exitCode).toBe(EXIT_USAGE);
  return error.message;
}

describe(parseEventsCommand.name, () => {
  it('reads show, replay and backfill', () => {
    expect(parseEventsCommand(['show', 'evt_1'])).toStrictEqual({
      kind: 'show',
      eventId: 'evt_1',
      json: false,
    });
    expect(
      parseEventsCommand(['replay', '--id', 'evt_1', '--id', 'evt_2', '--force']),
    ).toStrictEqual({
      kind: 'replay',
      request: { eventIds: ['evt_1', 'evt_2'], force: true },
      json: false,
    });
    expect(
      parseEventsCommand([
        'replay',
        '--type',
        'invoice.paid',
        '--from',
        '2026-01-01T00:00:00Z',
        '--json',
      ]),
    ).toStrictEqual({
      kind: 'replay',
      request: { type: 'invoice.paid', from: '2026-01-01T00:00:00Z' },
      json: true,
    });
    expect(parseEventsCommand(['backfill', '--since', '2026-01-01T00:00:00Z'])).toStrictEqual({
      kind: 'backfill',
      since: '2026-01-01T00:00:00Z',
      json: false,
    });
  });

  it('explains what is wrong with a command line', () => {
    expect(usageErrorOf([])).toMatch(/needs a command/);
    expect(usageErrorOf(['list'])).toMatch(/unknown command: events list/);
    expect(usageErrorOf(['show'])).toMatch(/exactly one event id/);
    expect(usageErrorOf(['replay'])).toMatch(/needs --id/);
    expect(usageErrorOf(['replay', '--id', 'evt_1', '--type', 'invoice.paid'])).toMatch(
      /cannot be combined/,
    );
    expect(usageErrorOf(['replay', '--type'])).toMatch(/--type/);
    expect(usageErrorOf(['backfill', '--everything'])).toMatch(/--everything/);
  });
});
