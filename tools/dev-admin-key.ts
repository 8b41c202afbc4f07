import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEV_ADMIN_KEY_FILE } from '@aegis/contracts';

export interface DevelopmentAdminKey {
  readonly key: string;
  /** Where it is kept, or null when it came from AEGIS_ADMIN_KEY. */
  readonly file: string | null;
}

/**
 * The admin key `npm start` gives the gateway: AEGIS_ADMIN_KEY when set,
 * else the development key kept in DEV_ADMIN_KEY_FILE (git-ignored; made on
 * the first start, readable by its owner only), which the CLI reads by default.
 */
export function developmentAdminKey(directory: string): DevelopmentAdminKey {
  const given = process.env.AEGIS_ADMIN_KEY;
  if (given !== undefined && given !== '') return { key: given, file: null };
  const file = join(directory, DEV_ADMIN_KEY_FILE);
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return { key: kept, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = `ak_admin_${randomBytes(32).toString('base64url')}`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, file };
}
