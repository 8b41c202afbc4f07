import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import type {
  ApiKeyResourceV1,
  CustomerResourceV1,
  ListV1,
  ProblemV1,
  VerifyResultV1,
} from '@aegis/contracts';
import { defined, freePort, waitFor, type ServiceProcess } from '@aegis/testing';
import { AegisCli, CliStack, type CliRun } from './cli-harness.js';

/** The key a `keys create` or `keys roll` printed, the only place a key is ever shown. */
function keyShownBy(run: CliRun): string {
  return defined(/^key +(\S+)$/m.exec(run.stdout)?.[1], `a key in ${run.stdout}`);
}

function keyIdShownBy(run: CliRun): string {
  return defined(/^id +(key_\S+)$/m.exec(run.stdout)?.[1], `a key id in ${run.stdout}`);
}

describe('aegis customers and keys against a running gateway', () => {
  let stack: CliStack;
  let gateway: ServiceProcess;
  let aegis: AegisCli;
  let adminKey: string;
  /** Every run, to check that the admin key was never printed. */
  const runs: CliRun[] = [];

  const run = async (args: string[], options?: Parameters<AegisCli['run']>[1]): Promise<CliRun> => {
    const result = await aegis.run(args, options);
    runs.push(result);
    return result;
  };

  const newCustomerId = (): string => `cust_cli_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await CliStack.start({ metering: true });
    ({ aegis, gateway, adminKey } = stack);
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('customers create gets or creates a customer by id, with its Stripe customer', async () => {
    const id = newCustomerId();
    const args = [
      'customers',
      'create',
      '--id',
      id,
      '--email',
      'ada@example.com',
      '--name',
      'Ada Lovelace',
      '--metadata',
      'plan=pro',
      'region=eu',
    ];
    const created = await run(args);
    expect(created.code).toBe(0);
    const lines = created.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`created customer ${id}`);
    expect(lines).toContain(`id               ${id}`);
    expect(lines).toContain('email            ada@example.com');
    expect(lines).toContain('name             Ada Lovelace');
    // The gateway may add its own keys (aegis_customer_id) after the ones given.
    expect(created.stdout).toMatch(/^metadata {9}plan=pro, region=eu\b/m);
    expect(created.stdout).toMatch(/^stripe customer {2}cus_\w+$/m);

    const again = await run([...args.slice(0, 6), '--json']);
    expect(again.code).toBe(0);
    const customer = JSON.parse(again.stdout) as CustomerResourceV1;
    expect(customer).toMatchObject({ id, email: 'ada@example.com', name: 'Ada Lovelace' });
    expect(customer.stripe_customer_id).toMatch(/^cus_/);

    const existing = await run(args.slice(0, 6));
    expect(existing.stdout.split('\n')[0]).toBe(`customer ${id} already exists`);
  });

  it('customers create sends one Idempotency-Key per call, or the one given', async () => {
    const id = newCustomerId();
    const idempotencyKey = randomUUID();
    const args = ['customers', 'create', '--id', id, '--email', 'idem@example.com'];
    const first = await run([...args, '--idempotency-key', idempotencyKey]);
    const replayed = await run([...args, '--idempotency-key', idempotencyKey]);
    expect(first.code).toBe(0);
    expect(replayed.code).toBe(0);
    // The first answer again, 201 included: not "already exists".
    expect(replayed.stdout).toBe(first.stdout);

    const otherBody = await run([
      ...args,
      '--name',
      'Someone else',
      '--idempotency-key',
      idempotencyKey,
      '--json',
    ]);
    expect(otherBody.code).toBe(1);
    expect((JSON.parse(otherBody.stdout) as ProblemV1).status).toBe(422);
    expect(otherBody.stderr).toMatch(/answered 422/);
  });

  it('customers list shows a table page by page, and show one customer', async () => {
    const ids = [newCustomerId(), newCustomerId()];
    for (const id of ids)
      expect(
        (await run(['customers', 'create', '--id', id, '--email', `${id}@example.com`])).code,
      ).toBe(0);

    const firstPage = await run(['customers', 'list', '--limit', '1']);
    expect(firstPage.code).toBe(0);
    const lines = firstPage.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +EMAIL +NAME +STRIPE CUSTOMER +CREATED$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${ids[1]} +${ids[1]}@example\\.com +- +cus_\\w+ +\\d{4}-`),
    );
    expect(lines[2]).toBe(`more: aegis customers list --limit 1 --starting-after ${ids[1]}`);

    const secondPage = await run([
      'customers',
      'list',
      '--limit',
      '1',
      '--starting-after',
      defined(ids[1], 'the newest id'),
      '--json',
    ]);
    const list = JSON.parse(secondPage.stdout) as ListV1<CustomerResourceV1>;
    expect(list.object).toBe('list');
    expect(list.data.map((customer) => customer.id)).toStrictEqual([ids[0]]);

    const shown = await run(['customers', 'show', defined(ids[0], 'an id')]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^id +${ids[0]}$`, 'm'));

    const unknown = await run(['customers', 'show', 'cust_never_created']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^aegis: the gateway answered 404 /);
  });

  it('prints each field the gateway refused', async () => {
    const refused = await run(['customers', 'create', '--email', 'not an email']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^aegis: the gateway answered 400 /);
    expect(refused.stderr).toMatch(/^ {2}email: .+$/m);
  });

  it('keys create shows the key once; keys list never shows it', async () => {
    const customerId = newCustomerId();
    await run(['customers', 'create', '--id', customerId, '--email', 'keys@example.com']);
    const created = await run([
      'keys',
      'create',
      customerId,
      '--name',
      'ci',
      '--scope',
      'intel:read',
      '--scope',
      'usage:write',
      '--rate-limit',
      '50/60',
    ]);
    expect(created.code).toBe(0);
    const key = keyShownBy(created);
    const keyId = keyIdShownBy(created);
    expect(key).toMatch(/^ak_/);
    expect(created.stdout).toMatch(/^scopes +intel:read, usage:write$/m);
    expect(created.stdout).toMatch(/^rate limit +50 per 60 s$/m);
    expect(created.stdout).toMatch(/the key is shown only this once/);

    const listed = await run(['keys', 'list', customerId]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^ID +NAME +PREFIX +SCOPES +RATE LIMIT +STATUS +EXPIRES +LAST USED$/m,
    );
    expect(listed.stdout).toMatch(
      new RegExp(`^${keyId} +ci +\\S+ +intel:read, usage:write +50 per 60 s +active +never `, 'm'),
    );
    expect(listed.stdout).not.toContain(key);
    const json = await run(['keys', 'list', customerId, '--json']);
    expect(
      (JSON.parse(json.stdout) as ListV1<ApiKeyResourceV1>).data.map(({ id }) => id),
    ).toStrictEqual([keyId]);
    expect(json.stdout).not.toContain(key);
  });

  it('keys verify says whether a key is valid, meters usage, and never repeats the key', async () => {
    const customerId = newCustomerId();
    await run(['customers', 'create', '--id', customerId, '--email', 'verify@example.com']);
    const created = await run([
      'keys',
      'create',
      customerId,
      '--name',
      'api',
      '--scope',
      'intel:read',
    ]);
    const key = keyShownBy(created);
    const keyId = keyIdShownBy(created);

    const valid = await run(['keys', 'verify', key, '--scope', 'intel:read']);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(new RegExp(`^valid: key ${keyId} of ${customerId}$`, 'm'));
    expect(valid.stdout).toMatch(/^rate limit +\d+ of \d+ left, resets \d{4}-/m);
    expect(valid.stdout).not.toContain(key);

    const metered = await run([
      'keys',
      'verify',
      key,
      '--usage-product',
      'api_call',
      '--usage-quantity',
      '2',
      '--json',
    ]);
    expect(metered.code).toBe(0);
    const result = JSON.parse(metered.stdout) as VerifyResultV1;
    expect(result.valid && result.usage_event_id).toEqual(expect.any(String));

    const missingScope = await run(['keys', 'verify', key, '--scope', 'billing:write']);
    expect(missingScope.code).toBe(1);
    expect(missingScope.stdout).toBe('invalid: scope missing\n');

    const unknown = await run(['keys', 'verify', 'ak_never_issued']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('invalid: unknown\n');
  });

  it('keys roll gives a new key while the old one works for the grace period; keys revoke ends a key', async () => {
    const customerId = newCustomerId();
    await run(['customers', 'create', '--id', customerId, '--email', 'roll@example.com']);
    const created = await run(['keys', 'create', customerId, '--name', 'rolled']);
    const oldKey = keyShownBy(created);
    const oldKeyId = keyIdShownBy(created);

    const rolled = await run(['keys', 'roll', oldKeyId, '--grace', '3600']);
    expect(rolled.code).toBe(0);
    const newKey = keyShownBy(rolled);
    const newKeyId = keyIdShownBy(rolled);
    expect(rolled.stdout.split('\n')[0]).toBe(
      `rolled key ${oldKeyId} into ${newKeyId}; the old key works for 3600 s more`,
    );
    expect(rolled.stdout).toMatch(new RegExp(`^rolled from +${oldKeyId}$`, 'm'));
    expect(newKey).not.toBe(oldKey);
    expect((await run(['keys', 'verify', oldKey])).code).toBe(0);
    expect((await run(['keys', 'verify', newKey])).code).toBe(0);

    const revoked = await run(['keys', 'revoke', newKeyId]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(
      new RegExp(`^revoked key ${newKeyId} \\(rolled\\) of ${customerId} at \\d{4}-`),
    );
    const refused = await waitFor(
      () => run(['keys', 'verify', newKey]),
      (verified) => verified.code === 1,
      { what: 'the revoked key to be refused', timeoutMs: 5_000 },
    );
    expect(refused.stdout).toBe('invalid: revoked\n');

    const listed = await run(['keys', 'list', customerId]);
    expect(listed.stdout).toMatch(new RegExp(`^${newKeyId} .* revoked `, 'm'));
  });

  it('takes the flags over the environment, and the environment over the development key file', async () => {
    const withKeyFile = await aegis.workDirWithKeyFile(adminKey);
    const fromFile = await run(['customers', 'list'], {
      cwd: withKeyFile,
      env: { AEGIS_API_KEY: '' },
    });
    expect(fromFile.code).toBe(0);

    const envOverFile = await run(['customers', 'list'], {
      cwd: withKeyFile,
      env: { AEGIS_API_KEY: 'ak_wrong_from_env' },
    });
    expect(envOverFile.code).toBe(1);
    expect(envOverFile.stderr).toMatch(/answered 401/);
    expect(envOverFile.stderr).toMatch(/check the API key \(it came from AEGIS_API_KEY\)/);

    const flagOverEnv = await run(['customers', 'list', '--api-key', adminKey], {
      env: {
        AEGIS_API_KEY: 'ak_wrong_from_env',
        AEGIS_URL: `http://127.0.0.1:${await freePort()}`,
      },
    });
    expect(flagOverEnv.code).toBe(3);
    const flagsOverEnv = await run(
      ['customers', 'list', '--api-key', adminKey, '--url', gateway.url],
      {
        env: {
          AEGIS_API_KEY: 'ak_wrong_from_env',
          AEGIS_URL: `http://127.0.0.1:${await freePort()}`,
        },
      },
    );
    expect(flagsOverEnv.code).toBe(0);

    const noKey = await run(['customers', 'list'], { env: { AEGIS_API_KEY: '' } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/no API key/);

    expect(runs.map(({ stdout, stderr }) => `${stdout}${stderr}`).join('\n')).not.toContain(
      adminKey,
    );
    expect(runs.map(({ stderr }) => stderr).join('\n')).not.toMatch(/ak_wrong_from_env/);
  });
});
