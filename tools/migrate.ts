/**
 * `npm run migrate [app…]`: creates the database if it is missing, then
 * applies every app's (or each named app's) pending migrations to its own
 * schema. Needs PostgreSQL only.
 *
 * `migrateAll` is also what `npm start` runs before it starts the apps.
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_DATABASE_URL } from '@aegis/config';
import {
  createServiceDataSource,
  ensureDatabase,
  migrateSchema,
  redactUrl,
} from '@aegis/persistence';
import { checkInfrastructure, envSetting } from './preflight.js';
import { SERVICES, type ServiceEntry } from './services.js';

/** A failed migration run, already phrased as the one line to show. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

/**
 * Creates the database named in `databaseUrl` if needed, then migrates the
 * schema of each given app that has storage, one after the other, printing
 * one line per app. Throws a `MigrationError` naming the app on failure.
 */
export async function migrateAll(
  databaseUrl: string,
  apps: readonly ServiceEntry[],
): Promise<void> {
  try {
    if (await ensureDatabase(databaseUrl))
      process.stdout.write(`created database ${redactUrl(databaseUrl)}\n`);
  } catch (error) {
    throw new MigrationError(
      `cannot create or open the database ${redactUrl(databaseUrl)}: ${reasonOf(error)}`,
    );
  }
  for (const { name, storage } of apps) {
    if (storage === undefined) continue;
    const dataSource = createServiceDataSource({
      databaseUrl,
      schema: storage.schema,
      entities: storage.entities,
      migrations: storage.migrations,
      applicationName: `${name}-migrate`,
      poolSize: 2,
    });
    try {
      await dataSource.initialize();
      const applied = await migrateSchema(dataSource, storage.schema);
      process.stdout.write(
        applied.length === 0
          ? `${name}: up to date\n`
          : `${name}: applied ${applied.length} migration(s) to schema ${storage.schema}: ${applied.join(', ')}\n`,
      );
    } catch (error) {
      throw new MigrationError(
        `${name}: migrating schema ${storage.schema} failed: ${reasonOf(error)}`,
      );
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    }
  }
}

/** The apps named on the command line (all when none); exits 2 on an unknown name. */
function selectApps(names: readonly string[]): ServiceEntry[] {
  if (names.length === 0) return [...SERVICES];
  const valid = SERVICES.map((service) => service.name);
  const unknown = names.filter((name) => !valid.some((known) => known === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown app(s): ${unknown.join(', ')}; valid: ${valid.join(', ')}\n`);
    process.exit(2);
  }
  const selected = SERVICES.filter((service) => names.includes(service.name));
  for (const { name } of selected.filter((service) => service.storage === undefined))
    process.stdout.write(`${name}: no schema, nothing to migrate\n`);
  return selected;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const apps = selectApps(process.argv.slice(2));
  await checkInfrastructure({ broker: false });
  try {
    await migrateAll(envSetting('DATABASE_URL', DEFAULT_DATABASE_URL), apps);
  } catch (error) {
    process.stderr.write(`migration failed: ${reasonOf(error)}\n`);
    process.exit(1);
  }
}
