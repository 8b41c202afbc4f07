import type { ReplayRequestDto } from './dto/replay-request.dto.js';

export type ReplaySelection =
  | { readonly kind: 'ids'; readonly eventIds: readonly string[] }
  | {
      readonly kind: 'filter';
      readonly type: string | undefined;
      readonly from: Date | undefined;
      readonly to: Date | undefined;
    };

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** The selection a replay request makes, or the fields at fault. */
export function replaySelectionOf(
  request: ReplayRequestDto,
): { selection: ReplaySelection } | { problems: FieldProblem[] } {
  const { eventIds, type } = request;
  const from = request.from === undefined ? undefined : new Date(request.from);
  const to = request.to === undefined ? undefined : new Date(request.to);
  if (eventIds !== undefined) {
    const combined = (['type', 'from', 'to'] as const).filter(
      (field) => request[field] !== undefined,
    );
    if (combined.length === 0)
      return { selection: { kind: 'ids', eventIds: [...new Set(eventIds)] } };
    return {
      problems: combined.map((field) => ({
        field,
        message: `${field} cannot be combined with eventIds`,
      })),
    };
  }
  if (type === undefined && from === undefined && to === undefined) {
    return {
      problems: [{ field: 'eventIds', message: 'give eventIds, or a type and/or a from/to range' }],
    };
  }
  if (from !== undefined && to !== undefined && from >= to) {
    return { problems: [{ field: 'to', message: 'to must be later than from' }] };
  }
  return { selection: { kind: 'filter', type, from, to } };
}
