import type Stripe from 'stripe';
import { invalidRequest, resourceMissing } from './stripe-error.js';
import type { Params } from './params.js';

/** Reads `created` (an exact second or `created[gt|gte|lt|lte]`) into a predicate. */
export function createdFilter(params: Params, name = 'created'): (created: number) => boolean {
  if (!params.has(name)) return () => true;
  const exact = (() => {
    try {
      return params.integer(name);
    } catch {
      return undefined;
    }
  })();
  if (exact !== undefined) return (created) => created === exact;
  const range = params.requiredObject(name);
  const gt = range.integer('gt');
  const gte = range.integer('gte');
  const lt = range.integer('lt');
  const lte = range.integer('lte');
  return (created) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}

/**
 * One page of a Stripe list: `items` newest first; `limit` (1–100, default
 * 10), `starting_after` (the page after that object) or `ending_before` (the
 * page before it), and `has_more`. Reads those three parameters itself.
 */
export function paginate<T extends { id: string }>(
  items: readonly T[],
  params: Params,
  url: string,
): Stripe.ApiList<T> {
  const limit = params.integer('limit', { min: 1, max: 100 }) ?? 10;
  const startingAfter = params.string('starting_after');
  const endingBefore = params.string('ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw invalidRequest(
      'You may only specify one of these parameters: ending_before, starting_after.',
    );
  }
  const indexOf = (id: string, param: string): number => {
    const index = items.findIndex((item) => item.id === id);
    if (index === -1) throw resourceMissing('object', id, param);
    return index;
  };
  if (endingBefore !== undefined) {
    const end = indexOf(endingBefore, 'ending_before');
    const start = Math.max(0, end - limit);
    return { object: 'list', data: items.slice(start, end), has_more: start > 0, url };
  }
  const start = startingAfter === undefined ? 0 : indexOf(startingAfter, 'starting_after') + 1;
  const data = items.slice(start, start + limit);
  return { object: 'list', data, has_more: start + limit < items.length, url };
}
