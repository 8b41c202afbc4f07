import { join } from 'node:path';
import { DEFAULT_GATEWAY_URL, DEV_ADMIN_KEY_FILE } from '@aegis/contracts';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { CliEnvironment } from '../environment.js';

/** `--url` and `--api-key`, as given on the command line. */
export interface ConnectionFlags {
  readonly url?: string;
  readonly apiKey?: string;
}

/** Where the key came from, to say which one to check when the gateway refuses it. */
export type ApiKeySource = '--api-key' | 'AEGIS_API_KEY' | typeof DEV_ADMIN_KEY_FILE;

export interface GatewaySettings {
  /** The gateway's base URL, without a trailing slash. */
  readonly url: string;
  readonly apiKey: string;
  readonly apiKeySource: ApiKeySource;
}

function usageError(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}

/** An environment variable; empty counts as unset. */
function variable(
  environment: Pick<CliEnvironment, 'variables'>,
  name: string,
): string | undefined {
  const value = environment.variables[name];
  return value === undefined || value === '' ? undefined : value;
}

function gatewayUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${source} is not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(`${source} must be an http:// or https:// URL: ${value}`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw usageError(`${source} must be the gateway's address, without query or credentials`);
  return url.href.replace(/\/+$/, '');
}

/** Checks a key's form without ever showing it. */
function apiKey(value: string, source: ApiKeySource): string {
  if (value === '') throw usageError(`${source} is empty`);
  if (!/^\S+$/.test(value)) throw usageError(`the key in ${source} contains white space`);
  return value;
}

function keyFromFile(environment: Pick<CliEnvironment, 'cwd' | 'readFile'>): string | undefined {
  const text = environment.readFile(join(environment.cwd, DEV_ADMIN_KEY_FILE));
  if (text === undefined) return undefined;
  return apiKey(text.trim(), DEV_ADMIN_KEY_FILE);
}

/**
 * The gateway's address and the key to call it with. Highest first: the
 * `--url` / `--api-key` flags, `AEGIS_URL` / `AEGIS_API_KEY`, then the
 * development key file in the working directory and DEFAULT_GATEWAY_URL.
 */
export function resolveGatewaySettings(
  flags: ConnectionFlags,
  environment: Pick<CliEnvironment, 'variables' | 'cwd' | 'readFile'>,
): GatewaySettings {
  const urlFromEnv = variable(environment, 'AEGIS_URL');
  const url =
    flags.url !== undefined
      ? gatewayUrl(flags.url, '--url')
      : urlFromEnv !== undefined
        ? gatewayUrl(urlFromEnv, 'AEGIS_URL')
        : DEFAULT_GATEWAY_URL;

  if (flags.apiKey !== undefined)
    return { url, apiKey: apiKey(flags.apiKey, '--api-key'), apiKeySource: '--api-key' };
  const keyFromEnv = variable(environment, 'AEGIS_API_KEY');
  if (keyFromEnv !== undefined)
    return { url, apiKey: apiKey(keyFromEnv, 'AEGIS_API_KEY'), apiKeySource: 'AEGIS_API_KEY' };
  const keyInFile = keyFromFile(environment);
  if (keyInFile !== undefined) return { url, apiKey: keyInFile, apiKeySource: DEV_ADMIN_KEY_FILE };
  throw usageError(
    `no API key: pass --api-key <key>, set AEGIS_API_KEY, or run aegis in the workspace where npm start wrote ${DEV_ADMIN_KEY_FILE}`,
  );
}
