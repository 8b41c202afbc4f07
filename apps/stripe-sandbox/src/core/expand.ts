import { snapshot } from '../store/sandbox-store.js';
import type { SandboxStore } from '../store/sandbox-store.js';
import { invalidRequest } from './stripe-error.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function expandPath(store: SandboxStore, value: Json, path: readonly string[], full: string): Json {
  if (path.length === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => expandPath(store, item, path, full));
  const [field, ...rest] = path as [string, ...string[]];
  if (!(field in value)) {
    throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
  }
  let target = value[field] as Json;
  if (typeof target === 'string') {
    const found = store.findAny(target);
    if (found !== undefined) target = snapshot(found) as unknown as Json;
  }
  return { ...value, [field]: expandPath(store, target, rest, full) };
}

/**
 * Applies Stripe's `expand[]` to a response: each dotted path replaces an id
 * by the object it names (`customer`, `latest_invoice.payment_intent`,
 * `data.customer` on lists). Works on a copy; the stored object is untouched.
 */
export function expand<T>(store: SandboxStore, value: T, paths: readonly string[]): T {
  let result = snapshot(value) as unknown as Json;
  for (const path of paths) {
    if (path.split('.').length > 4) {
      throw invalidRequest(
        `You cannot expand more than 4 levels of a property (${path}).`,
        'expand',
      );
    }
    result = expandPath(store, result, path.split('.'), path);
  }
  return result as unknown as T;
}
