/**
 * What travels on the wire for every message. `data` is the payload class of
 * the contract named by `type`; `version` repeats the `.v<N>` suffix so a
 * consumer can branch on it without parsing the name.
 */
export interface Envelope<TType extends string = string, TData = unknown> {
  readonly id: string;
  readonly type: TType;
  readonly version: number;
  readonly occurredAt: string;
  readonly source: string;
  readonly correlationId: string;
  readonly data: TData;
}

export const ENVELOPE_FIELDS = [
  'id',
  'type',
  'version',
  'occurredAt',
  'source',
  'correlationId',
  'data',
] as const;

/** The version number a name carries in its `.v<N>` suffix, or 1 for names without one. */
export function versionOf(type: string): number {
  const match = /\.v(\d+)$/.exec(type);
  return match?.[1] === undefined ? 1 : Number(match[1]);
}
