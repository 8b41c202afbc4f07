import { ValidateBy, type ValidationOptions } from 'class-validator';

const MAX_KEYS = 50;
const MAX_KEY_LENGTH = 40;
const MAX_VALUE_LENGTH = 500;

/** Metadata as Stripe takes it: at most 50 string values, keys ≤ 40 and values ≤ 500 characters. */
export function IsStringRecord(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringRecord',
      validator: {
        validate: (value: unknown): boolean => {
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_KEYS &&
            entries.every(
              ([key, item]) =>
                key.length > 0 &&
                key.length <= MAX_KEY_LENGTH &&
                typeof item === 'string' &&
                item.length <= MAX_VALUE_LENGTH,
            )
          );
        },
        defaultMessage: () =>
          `$property must be an object of at most ${MAX_KEYS} string values (keys ≤ ${MAX_KEY_LENGTH}, values ≤ ${MAX_VALUE_LENGTH} characters)`,
      },
    },
    options,
  );
}
