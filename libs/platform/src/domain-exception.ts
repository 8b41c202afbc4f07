/**
 * An expected failure of a service's domain, with a stable code. Each app has
 * its own subclass and code enum (`<app>.exception.ts`), whose table gives each
 * code its HTTP status; ProblemDetailsFilter answers it as problem+json (the
 * code as `code` and in `type`), and over RPC it travels as the same
 * code and status.
 */
export abstract class DomainException<Code extends string = string> extends Error {
  protected constructor(
    readonly code: Code,
    readonly status: number,
    message: string,
    /** For bad input: each field at fault, named as the API names it (problem+json `errors`). */
    readonly fields: readonly { readonly field: string; readonly message: string }[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The problem type URI of a domain code. */
export function problemTypeOf(code: string): string {
  return `urn:aegis:problem:${code}`;
}

/** `instanceof` narrowed to string codes (plain `instanceof` on the generic class yields `any`). */
export function isDomainException(value: unknown): value is DomainException {
  return value instanceof DomainException;
}
