import { describe, it, expect } from '@jest/globals';
import { connectionRefused, FakeEnvironment } from '../test/fake-environment.js';
import { EXIT_REFUSED, EXIT_UNREACHABLE, EXIT_USAGE } from './cli-error.js';
import { runCli } from './cli.js';

const notFound = {
  type: 'urn:aegis:problem:customer_not_found',
  title: 'Not Found',
  status: 404,
  detail: 'no customer cust_x',
  code: 'customer_not_found',
};

describe(runCli.name, () => {
  it('prints help (exit 0) and, without a command, the usage (exit 2)', async () => {
    const help = new FakeEnvironment();
    expect(await runCli(['--help'], help)).toBe(0);
    expect(help.out[0]).toBe('Usage: aegis [options] [command]');
    expect(help.out.join('\n')).toMatch(
      /customers .*\n.*keys .*\n.*events .*\n.*products .*\n.*pricing .*\n.*discounts .*\n.*quote /,
    );

    const nothing = new FakeEnvironment();
    expect(await runCli([], nothing)).toBe(EXIT_USAGE);
    expect(nothing.err[0]).toBe('Usage: aegis [options] [command]');
    expect(nothing.requests).toHaveLength(0);
  });

  it('calls the gateway the flags name, with the flags’ key, wherever the flags stand', async () => {
    const environment = new FakeEnvironment({
      AEGIS_URL: 'http://env.example',
      AEGIS_API_KEY: 'ak_env',
    }).reply(200, { object: 'list', data: [], has_more: false });
    await runCli(
      ['customers', 'list', '--url', 'http://flag.example:8080', '--api-key', 'ak_flag'],
      environment,
    );
    expect(environment.request).toMatchObject({
      url: 'http://flag.example:8080/api/v1/customers',
      headers: { authorization: 'Bearer ak_flag' },
    });
  });

  it('reads the development key file in the working directory', async () => {
    const environment = new FakeEnvironment(
      {},
      { '/srv/shop/.aegis/dev-admin-key': 'ak_dev\n' },
    ).reply(200, { object: 'list', data: [], has_more: false });
    expect(await runCli(['customers', 'list'], environment)).toBe(0);
    expect(environment.request.headers.authorization).toBe('Bearer ak_dev');
  });

  it('is a usage error (exit 2) without a key, before calling anything', async () => {
    const environment = new FakeEnvironment({});
    expect(await runCli(['customers', 'list'], environment)).toBe(EXIT_USAGE);
    expect(environment.err).toStrictEqual([
      'aegis: no API key: pass --api-key <key>, set AEGIS_API_KEY, or run aegis in the workspace where npm start wrote .aegis/dev-admin-key',
    ]);
    expect(environment.requests).toHaveLength(0);
  });

  it('prints a refusal’s title, detail and fields (exit 1)', async () => {
    const environment = new FakeEnvironment().reply(400, {
      type: 'urn:aegis:problem:invalid_request',
      title: 'Bad Request',
      status: 400,
      errors: [{ field: 'email', message: 'email must be an email' }],
    });
    expect(await runCli(['customers', 'create', '--email', 'nope'], environment)).toBe(
      EXIT_REFUSED,
    );
    expect(environment.out).toStrictEqual([]);
    expect(environment.err).toStrictEqual([
      'aegis: the gateway answered 400 Bad Request',
      '  email: email must be an email',
    ]);
  });

  it('prints the problem as is with --json, and the reason on stderr', async () => {
    const environment = new FakeEnvironment().reply(404, notFound);
    expect(await runCli(['customers', 'show', 'cust_x', '--json'], environment)).toBe(EXIT_REFUSED);
    expect(JSON.parse(environment.out.join('\n'))).toStrictEqual(notFound);
    expect(environment.err).toStrictEqual([
      'aegis: the gateway answered 404 Not Found: no customer cust_x',
    ]);
  });

  it('exits 3 when the gateway cannot be reached', async () => {
    const environment = new FakeEnvironment().failWith(connectionRefused());
    expect(await runCli(['keys', 'list', 'cust_1'], environment)).toBe(EXIT_UNREACHABLE);
    expect(environment.err).toStrictEqual([
      'aegis: cannot reach the gateway at http://127.0.0.1:3000: connect ECONNREFUSED 127.0.0.1:3000',
    ]);
  });

  it('never prints the key it calls with', async () => {
    const environment = new FakeEnvironment({ AEGIS_API_KEY: 'ak_very_secret' }).reply(401, {
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
    });
    expect(await runCli(['customers', 'list'], environment)).toBe(EXIT_REFUSED);
    expect(environment.err).toStrictEqual([
      'aegis: the gateway answered 401 Unauthorized',
      '  check the API key (it came from AEGIS_API_KEY)',
    ]);
  });
});
