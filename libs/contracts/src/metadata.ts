import { ValidateBy, type ValidationOptions } from 'class-validator';

/** The bounds of metadata everywhere in Aegis: Stripe's own bounds on an object's metadata. */
export const METADATA_LIMITS = { entries: 50, keyLength: 40, valueLength: 500 } as const;

export function isMetadata(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= METADATA_LIMITS.entries &&
    entries.every(
      ([key, text]) =>
        key.length >= 1 &&
        key.length <= METADATA_LIMITS.keyLength &&
        typeof text === 'string' &&
        text.length <= METADATA_LIMITS.valueLength,
    )
  );
}

/** class-validator rule of a metadata field: an object of strings within METADATA_LIMITS. */
export function IsMetadata(options?: ValidationOptions): PropertyDecorator {
  const { entries, keyLength, valueLength } = METADATA_LIMITS;
  return ValidateBy(
    {
      name: 'isMetadata',
      validator: {
        validate: isMetadata,
        defaultMessage: (args) =>
          `${args?.property ?? 'metadata'} must be an object of at most ${entries} strings of at most ${valueLength} characters, under keys of 1 to ${keyLength} characters`,
      },
    },
    options,
  );
}
