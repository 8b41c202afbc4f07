import { describe, expect, it } from '@jest/globals';
import { EnvValidationError } from '@aegis/config';
import { thrownBy } from '@aegis/testing';
import { DEFAULT_TIMEOUT_MS, parseProxyRoutes } from './proxy-routes.js';

const intel = {
  name: 'intel',
  upstream: 'http://127.0.0.1:4000/v1',
  product_id: 'api_call',
  quantity: 2,
  scope: 'intel:read',
  timeout_ms: 10_000,
};

function refusal(text: string, fileName = 'routes.json'): string {
  return thrownBy(() => parseProxyRoutes(text, fileName), EnvValidationError).message;
}

describe(parseProxyRoutes.name, () => {
  it('reads JSON and YAML into routes, with quantity 1, timeout 30 s and 5xx unbilled by default', () => {
    const fromJson = parseProxyRoutes(JSON.stringify({ routes: [intel] }), 'routes.json');
    expect(fromJson).toEqual([
      {
        name: 'intel',
        upstream: new URL('http://127.0.0.1:4000/v1'),
        productId: 'api_call',
        quantity: 2,
        scope: 'intel:read',
        timeoutMs: 10_000,
        billServerErrors: false,
      },
    ]);
    const fromYaml = parseProxyRoutes(
      [
        'routes:',
        '  - name: maps',
        '    upstream: https://maps.internal',
        '    product_id: map_tile',
        '    scope: maps:read',
        '    bill_server_errors: true',
      ].join('\n'),
      'routes.yaml',
    );
    expect(fromYaml).toEqual([
      {
        name: 'maps',
        upstream: new URL('https://maps.internal'),
        productId: 'map_tile',
        quantity: 1,
        scope: 'maps:read',
        timeoutMs: DEFAULT_TIMEOUT_MS,
        billServerErrors: true,
      },
    ]);
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
  });

  it('names the file and each field at fault', () => {
    const message = refusal(
      JSON.stringify({
        routes: [
          intel,
          { ...intel, name: 'Bad Name', upstream: 'ftp://files', quantity: 0, timeout: 5 },
        ],
      }),
    );
    expect(message).toContain('GATEWAY_ROUTES_FILE (routes.json): ');
    for (const field of [
      'routes[1].name',
      'routes[1].upstream',
      'routes[1].quantity',
      'routes[1].timeout',
    ])
      expect(message).toContain(`${field}:`);
    expect(message).not.toContain('routes[0]');
    expect(refusal(JSON.stringify({ routes: [{ ...intel, scope: undefined }] }))).toContain(
      'routes[0].scope:',
    );
    expect(refusal(JSON.stringify({ routes: [{ ...intel, product_id: '' }] }))).toContain(
      'routes[0].product_id:',
    );
  });

  it('refuses two routes of one name, an upstream with a query, and a file that is not a routes object', () => {
    expect(refusal(JSON.stringify({ routes: [intel, { ...intel }] }))).toContain(
      'routes[1].name: "intel" is already the name of routes[0]',
    );
    expect(
      refusal(JSON.stringify({ routes: [{ ...intel, upstream: 'http://127.0.0.1:4000/?k=1' }] })),
    ).toContain('routes[0].upstream:');
    expect(refusal('{"routes": [', 'routes.json')).toContain('cannot be parsed');
    expect(refusal('- just\n- a list', 'routes.yaml')).toContain('must be an object');
    expect(refusal('{}')).toContain('routes:');
  });
});
