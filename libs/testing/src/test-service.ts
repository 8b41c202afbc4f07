export interface TestServiceSettings {
  readonly databaseUrl: string;
  readonly amqpUrl: string;
  readonly prefix: string;
  /** Further variables, e.g. shorter retry delays. */
  readonly env?: Record<string, string>;
}

/**
 * Points a service started in this process (with `startService`) at the
 * test's own database and broker prefix, on an OS-chosen port. Each test file
 * runs in its own process, so this affects only that file.
 */
export function useTestEnvironment(settings: TestServiceSettings): void {
  Object.assign(process.env, {
    PORT: '0',
    DATABASE_URL: settings.databaseUrl,
    AMQP_URL: settings.amqpUrl,
    MESSAGING_PREFIX: settings.prefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    ...settings.env,
  });
}
