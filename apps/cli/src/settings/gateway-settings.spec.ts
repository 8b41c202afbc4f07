import { describe, it, expect } from '@jest/globals';
import { thrownBy } from '@aegis/testing';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import { resolveGatewaySettings, type ConnectionFlags } from './gateway-settings.js';

const KEY_FILE = '/srv/shop/.aegis/dev-admin-key';

function settingsOf(
  flags: ConnectionFlags,
  variables: Record<string, string | undefined>,
  files: Record<string, string> = {},
): ReturnType<typeof resolveGatewaySettings> {
  return resolveGatewaySettings(flags, {
    variables,
    cwd: '/srv/shop',
    readFile: (path) => files[path],
  });
}

function usageErrorOf(
  flags: ConnectionFlags,
  variables: Record<string, string | undefined>,
  files: Record<string, string> = {},
): string {
  const error = thrownBy(() => settingsOf(flags, variables, files), CliError);
  expect(error.exitCode).toBe(EXIT_USAGE);
  return error.message;
}

describe(resolveGatewaySettings.name, () => {
  const everywhere = {
    flags: { url: 'http://flag.example:1', apiKey: 'ak_flag' },
    variables: { AEGIS_URL: 'http://env.example:2', AEGIS_API_KEY: 'ak_env' },
    files: { [KEY_FILE]: 'ak_file\n' },
  };

  it('takes the flags first', () => {
    expect(settingsOf(everywhere.flags, everywhere.variables, everywhere.files)).toStrictEqual({
      url: 'http://flag.example:1',
      apiKey: 'ak_flag',
      apiKeySource: '--api-key',
    });
  });

  it('takes the environment when a flag is missing', () => {
    expect(settingsOf({}, everywhere.variables, everywhere.files)).toStrictEqual({
      url: 'http://env.example:2',
      apiKey: 'ak_env',
      apiKeySource: 'AEGIS_API_KEY',
    });
    expect(settingsOf({ url: 'http://flag.example:1' }, everywhere.variables)).toMatchObject({
      url: 'http://flag.example:1',
      apiKey: 'ak_env',
    });
  });

  it('falls back to the development key file in the working directory and the default URL', () => {
    expect(settingsOf({}, {}, everywhere.files)).toStrictEqual({
      url: 'http://127.0.0.1:3000',
      apiKey: 'ak_file',
      apiKeySource: '.aegis/dev-admin-key',
    });
  });

  it('counts an empty variable as unset', () => {
    expect(settingsOf({}, { AEGIS_URL: '', AEGIS_API_KEY: '' }, everywhere.files)).toMatchObject({
      url: 'http://127.0.0.1:3000',
      apiKeySource: '.aegis/dev-admin-key',
    });
  });

  it('keeps a base path and drops the trailing slash', () => {
    expect(settingsOf({ url: 'https://pay.example/aegis/' }, { AEGIS_API_KEY: 'k' }).url).toBe(
      'https://pay.example/aegis',
    );
  });

  it('is a usage error without a key anywhere, saying where one can come from', () => {
    expect(usageErrorOf({}, {})).toMatch(
      /no API key: pass --api-key <key>, set AEGIS_API_KEY, or run aegis in the workspace where npm start wrote \.aegis\/dev-admin-key/,
    );
  });

  it('refuses a URL that is not the gateway’s address, naming where it came from', () => {
    expect(usageErrorOf({ url: 'localhost:3000' }, { AEGIS_API_KEY: 'k' })).toMatch(
      /--url must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(usageErrorOf({}, { AEGIS_URL: 'not a url', AEGIS_API_KEY: 'k' })).toMatch(
      /AEGIS_URL is not a URL/,
    );
    expect(usageErrorOf({ url: 'http://h:1/?x=1' }, { AEGIS_API_KEY: 'k' })).toMatch(
      /without query/,
    );
  });

  it('refuses a malformed key without showing it', () => {
    const message = usageErrorOf({ apiKey: 'ak_secret part' }, {});
    expect(message).toBe('the key in --api-key contains white space');
    expect(usageErrorOf({ apiKey: '' }, {})).toBe('--api-key is empty');
    expect(usageErrorOf({}, {}, { [KEY_FILE]: '\n' })).toBe('.aegis/dev-admin-key is empty');
    expect(usageErrorOf({}, {}, { [KEY_FILE]: 'ak_one\nak_two\n' })).not.toMatch(/ak_/);
  });
});
