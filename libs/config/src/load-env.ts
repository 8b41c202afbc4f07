import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export class EnvValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'EnvValidationError';
  }
}

function describe(errors: readonly ValidationError[]): string[] {
  return errors.flatMap((error) =>
    Object.values(error.constraints ?? {}).map(
      (message) => `${error.property}=${JSON.stringify(error.value)}: ${message}`,
    ),
  );
}

/**
 * Builds a validated settings object from raw environment variables. Class
 * property initialisers provide the defaults; an unset or empty variable keeps
 * its default, anything else must pass the class's validators.
 */
export function loadEnv<T extends object>(
  envClass: new () => T,
  source: Record<string, string | undefined>,
): T {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const settings = plainToInstance(envClass, present, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(settings, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new EnvValidationError(describe(errors));
  }
  return settings;
}
