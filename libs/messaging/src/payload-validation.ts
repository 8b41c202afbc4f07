import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { InvalidPayloadError } from './errors.js';

function flatten(errors: readonly ValidationError[], path = ''): string[] {
  return errors.flatMap((error) => {
    const property = path === '' ? error.property : `${path}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property)
        ? `${path === '' ? '' : `${path}.`}${message}`
        : `${property}: ${message}`,
    );
    return [...own, ...flatten(error.children ?? [], property)];
  });
}

/**
 * Turns untrusted data into an instance of its contract class, or throws
 * InvalidPayloadError naming every field at fault. Unknown fields are dropped,
 * so a producer may add optional fields without breaking older consumers.
 */
export function toValidPayload<T extends object>(
  messageType: string,
  payloadClass: new () => T,
  data: unknown,
): T {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new InvalidPayloadError(messageType, ['data must be an object']);
  }
  const instance = plainToInstance(payloadClass, data);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) throw new InvalidPayloadError(messageType, flatten(errors));
  return instance;
}
