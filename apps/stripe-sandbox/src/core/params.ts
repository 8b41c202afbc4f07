import { parse } from 'qs';
import { parameterInvalid, parameterMissing, parameterUnknown } from './stripe-error.js';

type RawValue = string | RawValue[] | { [key: string]: RawValue | undefined };
type RawObject = Record<string, RawValue | undefined>;

const QS_OPTIONS = { depth: 10, arrayLimit: 1_000, parameterLimit: 10_000, allowDots: false };

/** Parses Stripe's form encoding (`items[0][price]=…`, `expand[]=…`) of a query or body. */
export function parseStripeForm(encoded: string): RawObject {
  return parse(encoded, QS_OPTIONS);
}

function isObject(value: RawValue | undefined): value is Record<string, RawValue | undefined> {
  return typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads one request's parameters the way Stripe does: each reader names the
 * parameter (in bracket notation) in its error, and `done()` rejects whatever
 * no reader asked for with Stripe's `parameter_unknown`. An empty string is
 * Stripe's way of unsetting a field; readers return `null` for it where a
 * field can be unset.
 */
export class Params {
  private readonly consumed = new Set<string>();
  private readonly nested: Params[] = [];

  constructor(
    private readonly raw: RawObject,
    private readonly prefix = '',
  ) {}

  /**
   * The parameters of one request. `expand[]` is accepted on every request
   * and applied to the response by the request interceptor, so handlers
   * never read it.
   */
  static of(...sources: RawObject[]): Params {
    const params = new Params(Object.assign({}, ...sources) as RawObject);
    params.consumed.add('expand');
    return params;
  }

  /** Full bracket-notation name of a parameter of this reader. */
  path(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}[${name}]`;
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  private take(name: string): RawValue | undefined {
    this.consumed.add(name);
    return this.raw[name];
  }

  private scalar(name: string): string | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      throw parameterInvalid(
        this.path(name),
        `Invalid string: ${this.path(name)} must be a string`,
      );
    }
    return value;
  }

  string(name: string): string | undefined {
    return this.scalar(name);
  }

  requiredString(name: string): string {
    const value = this.scalar(name);
    if (value === undefined || value === '') throw parameterMissing(this.path(name));
    return value;
  }

  /** A string that may be unset with `''` (returns null then). */
  nullableString(name: string): string | null | undefined {
    const value = this.scalar(name);
    return value === '' ? null : value;
  }

  integer(name: string, bounds: { min?: number; max?: number } = {}): number | undefined {
    const value = this.scalar(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw parameterInvalid(
        this.path(name),
        `Invalid integer: ${value}`,
        'parameter_invalid_integer',
      );
    }
    const number = Number(value);
    if (bounds.min !== undefined && number < bounds.min) {
      throw parameterInvalid(
        this.path(name),
        `This value must be greater than or equal to ${bounds.min}.`,
        'parameter_invalid_integer',
      );
    }
    if (bounds.max !== undefined && number > bounds.max) {
      throw parameterInvalid(
        this.path(name),
        `This value must be less than or equal to ${bounds.max}.`,
        'parameter_invalid_integer',
      );
    }
    return number;
  }

  requiredInteger(name: string, bounds: { min?: number; max?: number } = {}): number {
    const value = this.integer(name, bounds);
    if (value === undefined) throw parameterMissing(this.path(name));
    return value;
  }

  /** A decimal string such as Stripe's `unit_amount_decimal` ("0.125"), kept as text. */
  decimal(name: string): string | undefined {
    const value = this.scalar(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+(\.\d{1,12})?$/.test(value)) {
      throw parameterInvalid(
        this.path(name),
        `Invalid decimal: ${value}`,
        'parameter_invalid_decimal',
      );
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.scalar(name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') {
      throw parameterInvalid(
        this.path(name),
        `Invalid boolean: ${value}`,
        'parameter_invalid_boolean',
      );
    }
    return value === 'true';
  }

  oneOf<const T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.scalar(name);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw parameterInvalid(
        this.path(name),
        `Invalid ${this.path(name)}: must be one of ${values.join(', ')}`,
        'parameter_invalid_string',
      );
    }
    return value as T;
  }

  /** Stripe's `metadata`: string values, `''` removes a key, `metadata=''` clears all. */
  metadata(name = 'metadata'): Record<string, string> | null | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (value === '') return null;
    if (!isObject(value)) {
      throw parameterInvalid(this.path(name), `Invalid object: ${this.path(name)} must be a hash`);
    }
    const result: Record<string, string> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (typeof entry !== 'string') {
        throw parameterInvalid(`${this.path(name)}[${key}]`, 'Metadata values must be strings');
      }
      if (key.length > 40) {
        throw parameterInvalid(
          `${this.path(name)}[${key}]`,
          'Metadata keys must be at most 40 characters',
        );
      }
      result[key] = entry;
    }
    return result;
  }

  /** A nested hash (`card[number]=…`), or undefined when absent. */
  object(name: string): Params | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (!isObject(value)) {
      throw parameterInvalid(this.path(name), `Invalid object: ${this.path(name)} must be a hash`);
    }
    return this.child(value, this.path(name));
  }

  private child(raw: RawObject, prefix: string): Params {
    const reader = new Params(raw, prefix);
    this.nested.push(reader);
    return reader;
  }

  /** A nested hash that may be unset with `''` (returns null then). */
  nullableObject(name: string): Params | null | undefined {
    if (this.raw[name] === '') {
      this.consumed.add(name);
      return null;
    }
    return this.object(name);
  }

  requiredObject(name: string): Params {
    const value = this.object(name);
    if (value === undefined) throw parameterMissing(this.path(name));
    return value;
  }

  /** An array of hashes (`items[0][price]=…`). */
  objects(name: string): Params[] | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    const items = this.arrayOf(name, value);
    return items.map((item, index) => {
      if (!isObject(item)) {
        throw parameterInvalid(`${this.path(name)}[${index}]`, 'Invalid object: must be a hash');
      }
      return this.child(item, `${this.path(name)}[${index}]`);
    });
  }

  /** An array of strings (`expand[]=…`, `enabled_events[0]=…`). */
  strings(name: string): string[] | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (value === '') return [];
    return this.arrayOf(name, value).map((item, index) => {
      if (typeof item !== 'string') {
        throw parameterInvalid(`${this.path(name)}[${index}]`, 'Invalid string');
      }
      return item;
    });
  }

  /** `expand[]`: the paths to expand in the response. */
  expand(): string[] {
    return this.strings('expand') ?? [];
  }

  private arrayOf(name: string, value: RawValue): RawValue[] {
    if (Array.isArray(value)) return value;
    // qs turns sparse or very long index lists into objects keyed by index.
    if (isObject(value) && Object.keys(value).every((key) => /^\d+$/.test(key))) {
      return Object.keys(value)
        .sort((a, b) => Number(a) - Number(b))
        .map((key) => value[key])
        .filter((item) => item !== undefined);
    }
    if (typeof value === 'string') return [value];
    throw parameterInvalid(this.path(name), `Invalid array: ${this.path(name)} must be an array`);
  }

  /** Rejects the first parameter no reader asked for (nested ones too), as Stripe does. */
  done(): void {
    for (const name of Object.keys(this.raw)) {
      if (!this.consumed.has(name)) throw parameterUnknown(this.path(name));
    }
    for (const reader of this.nested) reader.done();
  }
}
