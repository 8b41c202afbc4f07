import type { IncomingHttpHeaders } from 'node:http';
import { METADATA_LIMITS } from '@aegis/contracts';
import type { ProxyRoute } from './proxy-routes.js';

/** The header the upstream learns the calling customer from (the caller's own is dropped). */
export const CUSTOMER_ID_HEADER = 'x-aegis-customer-id';

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, never the message. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Whether a header is hop-by-hop in a message with these headers: listed, `Proxy-*`, or named in `Connection`. */
function hopByHopTest(headers: IncomingHttpHeaders): (name: string) => boolean {
  const named = new Set(
    (headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
  return (name) => HOP_BY_HOP.has(name) || named.has(name) || name.startsWith('proxy-');
}

function without(
  headers: IncomingHttpHeaders,
  dropped: (name: string) => boolean,
): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped(name)));
}

/**
 * What of the caller's headers goes on to the upstream: not the hop-by-hop ones, not the
 * caller's key (`Authorization`), no `X-Aegis-*` (only the gateway says who the customer is),
 * and no `Expect` (the gateway already answered it to the caller).
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const hopByHop = hopByHopTest(headers);
  return without(
    headers,
    (name) =>
      hopByHop(name) ||
      name === 'authorization' ||
      name === 'expect' ||
      name.startsWith('x-aegis-'),
  );
}

/** What of the upstream's response headers goes back to the caller: all but the hop-by-hop ones. */
export function callerResponseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return without(headers, hopByHopTest(headers));
}

/** What of `/proxy/{route}/a/b?x=1` goes to the upstream: path `/a/b` (or '') and search `?x=1` (or ''). */
export function upstreamTargetOf(originalUrl: string): { path: string; search: string } {
  const queryAt = originalUrl.indexOf('?');
  const pathname = queryAt === -1 ? originalUrl : originalUrl.slice(0, queryAt);
  const search = queryAt === -1 ? '' : originalUrl.slice(queryAt);
  const path = /^\/[^/]+\/[^/]+(\/.*)?$/.exec(pathname)?.[1] ?? '';
  return { path, search };
}

/** A call the upstream answered is billed unless it answered 5xx (then only if the route says so). */
export function isBilled(route: ProxyRoute, status: number): boolean {
  return status < 500 || route.billServerErrors;
}

/** The usage event's metadata: the path after the route (no query) and the upstream's status. */
export function usageMetadataOf(path: string, status: number): Record<string, string> {
  const endpoint = path === '' ? '/' : path;
  return {
    endpoint: endpoint.slice(0, METADATA_LIMITS.valueLength),
    status: String(status),
  };
}
