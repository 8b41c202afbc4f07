import type { ReplayRequestV1 } from '@aegis/contracts';

export type ReplaySelection =
  | { readonly kind: 'ids'; readonly eventIds: readonly string[] }
  | {
      readonly kind: 'filter';
      readonly type: string | undefined;
      readonly from: Date | undefined;
      readonly to: Date | undefined;
    };

function dateOf(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

/**
 * The selection a replay request makes. The request is valid already: its
 * contract refuses one that selects nothing, mixes ids with a filter or has
 * an empty range.
 */
export function replaySelectionOf(request: ReplayRequestV1): ReplaySelection {
  if (request.eventIds !== undefined)
    return { kind: 'ids', eventIds: [...new Set(request.eventIds)] };
  return {
    kind: 'filter',
    type: request.type,
    from: dateOf(request.from),
    to: dateOf(request.to),
  };
}
