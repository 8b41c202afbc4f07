import { describe, expect, it } from '@jest/globals';
import { FakeEnvironment } from '../../test/fake-environment.js';
import { EXIT_USAGE } from '../cli-error.js';
import { runCli } from '../cli.js';
import { parseCommandLine } from '../command-line.js';
import { resolveStripeSettings } from './sandbox-stripe.js';
import { formatSeedResult } from './seed-output.js';
import { SEED_KINDS, type SeedResult } from './seed-runner.js';

function resultWith(created: number, usageRefusedBefore: string | null = null): SeedResult {
  return {
    seed: 'demo',
    scale: 'full',
    counts: Object.fromEntries(
      SEED_KINDS.map((kind) => [kind, { created: kind === 'invoices' ? created : 0, existing: 3 }]),
    ) as SeedResult['counts'],
    usage_refused_before: usageRefusedBefore,
    customers: ['cust_demo_acme'],
  };
}

describe('aegis seed: the command line', () => {
  it('reads --name and --scale, full and demo by default', () => {
    const environment = new FakeEnvironment();
    expect(parseCommandLine(['seed'], environment.terminal)).toMatchObject({
      command: { kind: 'seed', name: 'demo', scale: 'full', json: false },
    });
    expect(
      parseCommandLine(
        ['seed', '--name', 'qa2', '--scale', 'small', '--json'],
        environment.terminal,
      ),
    ).toMatchObject({ command: { kind: 'seed', name: 'qa2', scale: 'small', json: true } });
  });

  it('refuses a scale or a name it does not know, before anything is sent', () => {
    const environment = new FakeEnvironment();
    expect(parseCommandLine(['seed', '--scale', 'huge'], environment.terminal)).toStrictEqual({
      kind: 'done',
      exitCode: EXIT_USAGE,
    });
    expect(parseCommandLine(['seed', '--name', 'Demo-1'], environment.terminal)).toStrictEqual({
      kind: 'done',
      exitCode: EXIT_USAGE,
    });
    expect(environment.err.join('\n')).toMatch(/lower-case letters and digits/);
    expect(environment.requests).toHaveLength(0);
  });

  it('refuses a live Stripe key: exit 2 and no request to the gateway', async () => {
    const environment = new FakeEnvironment({
      AEGIS_API_KEY: 'ak_test_key',
      STRIPE_SECRET_KEY: 'sk_live_abcdef',
    });
    expect(await runCli(['seed'], environment)).toBe(EXIT_USAGE);
    expect(environment.err[0]).toMatch(/^aegis: STRIPE_SECRET_KEY must be a test-mode key/);
    expect(environment.requests).toHaveLength(0);
  });
});

describe('resolveStripeSettings', () => {
  it('the sandbox of npm start by default, else STRIPE_API_URL and STRIPE_SECRET_KEY', () => {
    expect(resolveStripeSettings({})).toStrictEqual({
      url: new URL('http://127.0.0.1:12111'),
      secretKey: 'sk_test_aegis_sandbox',
    });
    expect(
      resolveStripeSettings({
        STRIPE_API_URL: 'http://127.0.0.1:4000',
        STRIPE_SECRET_KEY: 'sk_test_x1',
      }),
    ).toStrictEqual({ url: new URL('http://127.0.0.1:4000'), secretKey: 'sk_test_x1' });
    expect(() => resolveStripeSettings({ STRIPE_API_URL: 'ftp://stripe' })).toThrow(
      /STRIPE_API_URL must be an http/,
    );
  });
});

describe('formatSeedResult', () => {
  it('a table of what was made and found; a second run says nothing was added', () => {
    const lines = formatSeedResult(resultWith(8));
    expect(lines[0]).toBe('seed demo (full): 8 made');
    expect(lines[1]).toMatch(/^WHAT\s+CREATED\s+EXISTING$/);
    expect(lines).toContainEqual(expect.stringMatching(/^invoices\s+8\s+3$/));
    expect(lines).toContainEqual(expect.stringMatching(/^fraud warnings\s+0\s+3$/));
    expect(formatSeedResult(resultWith(0))[0]).toBe(
      'seed demo (full): nothing to add, everything was there',
    );
  });

  it('says which usage metering’s back-dating horizon refused', () => {
    expect(formatSeedResult(resultWith(0, '2026-10-30')).join('\n')).toMatch(
      /usage before 2026-10-30 was refused: .*METERING_BACKDATE_HORIZON_DAYS/,
    );
  });
});
