import type { Request } from 'express';

export interface KeyRateLimit {
  readonly requests: number;
  readonly perSeconds: number;
}

/** Who sent a request: the operator (admin key) or one customer's key. */
export type Principal =
  | { readonly kind: 'admin'; readonly keyId: string }
  | {
      readonly kind: 'customer';
      readonly keyId: string;
      readonly customerId: string;
      readonly scopes: readonly string[];
      readonly rateLimit: KeyRateLimit;
    };

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}
