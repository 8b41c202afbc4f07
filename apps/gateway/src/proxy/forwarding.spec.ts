import { describe, expect, it } from '@jest/globals';
import {
  callerResponseHeaders,
  isBilled,
  upstreamRequestHeaders,
  upstreamTargetOf,
  usageMetadataOf,
} from './forwarding.js';
import type { ProxyRoute } from './proxy-routes.js';

const route: ProxyRoute = {
  name: 'intel',
  upstream: new URL('http://127.0.0.1:4000'),
  productId: 'api_call',
  quantity: 1,
  scope: 'intel:read',
  timeoutMs: 30_000,
  billServerErrors: false,
};

describe(upstreamRequestHeaders.name, () => {
  it('drops hop-by-hop headers, those Connection names, Proxy-*, the caller’s key, X-Aegis-* and Expect', () => {
    expect(
      upstreamRequestHeaders({
        connection: 'keep-alive, X-Hop',
        'x-hop': 'one hop only',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        trailer: 'x-checksum',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        'proxy-authorization': 'Basic eA==',
        'proxy-connection': 'keep-alive',
        authorization: 'Bearer ak_secret',
        'x-aegis-customer-id': 'cust_spoofed',
        expect: '100-continue',
        'content-type': 'application/json',
        'content-length': '12',
        'x-request-id': 'r1',
      }),
    ).toEqual({ 'content-type': 'application/json', 'content-length': '12', 'x-request-id': 'r1' });
  });
});

describe(callerResponseHeaders.name, () => {
  it('drops hop-by-hop headers and those Connection names, and keeps the rest', () => {
    expect(
      callerResponseHeaders({
        connection: 'x-upstream-hop',
        'x-upstream-hop': '1',
        'keep-alive': 'timeout=99',
        'proxy-authenticate': 'Basic',
        'transfer-encoding': 'chunked',
        'set-cookie': ['a=1', 'b=2'],
        'content-type': 'text/plain',
      }),
    ).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
  });
});

describe(upstreamTargetOf.name, () => {
  it('keeps the raw path after the route and the query string', () => {
    expect(upstreamTargetOf('/proxy/intel/v2/items/a%2Fb?x=%20y&z')).toEqual({
      path: '/v2/items/a%2Fb',
      search: '?x=%20y&z',
    });
    expect(upstreamTargetOf('/proxy/intel/')).toEqual({ path: '/', search: '' });
    expect(upstreamTargetOf('/proxy/intel')).toEqual({ path: '', search: '' });
    expect(upstreamTargetOf('/proxy/intel?q=1')).toEqual({ path: '', search: '?q=1' });
  });
});

describe(isBilled.name, () => {
  it('bills every answer below 500, and 5xx only on a route that says so', () => {
    expect([200, 201, 304, 404, 429, 499].every((status) => isBilled(route, status))).toBe(true);
    expect(isBilled(route, 500)).toBe(false);
    expect(isBilled(route, 503)).toBe(false);
    expect(isBilled({ ...route, billServerErrors: true }, 503)).toBe(true);
  });
});

describe(usageMetadataOf.name, () => {
  it('is {endpoint, status}, the endpoint `/` for the route itself and cut to metadata’s 500', () => {
    expect(usageMetadataOf('/v2/items', 201)).toEqual({ endpoint: '/v2/items', status: '201' });
    expect(usageMetadataOf('', 200)).toEqual({ endpoint: '/', status: '200' });
    expect(usageMetadataOf(`/${'a'.repeat(600)}`, 200).endpoint).toHaveLength(500);
  });
});
