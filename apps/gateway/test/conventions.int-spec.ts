import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PUBLIC_API_PATHS, type ProblemV1 } from '@aegis/contracts';
import { freePort, type ServiceProcess } from '@aegis/testing';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { AppModule } from '../src/app.module.js';
import { GatewayHarness } from './gateway-harness.js';

let harness: GatewayHarness;

beforeAll(async () => {
  harness = await GatewayHarness.start({ replicas: 1 });
});

afterAll(async () => {
  await harness.stop();
});

type ModuleRef = Type | DynamicModule;

function controllersOf(module: ModuleRef, seen = new Set<unknown>()): Type[] {
  if (seen.has(module)) return [];
  seen.add(module);
  const dynamic = typeof module === 'function' ? undefined : module;
  const moduleClass = dynamic?.module ?? (module as Type);
  const read = (key: string): unknown[] =>
    (Reflect.getMetadata(key, moduleClass) as unknown[] | undefined) ?? [];
  const controllers = [...(read('controllers') as Type[]), ...(dynamic?.controllers ?? [])];
  const imports = [
    ...(read('imports') as ModuleRef[]),
    ...((dynamic?.imports ?? []) as ModuleRef[]),
  ];
  return [...controllers, ...imports.flatMap((imported) => controllersOf(imported, seen))];
}

/** Every public route the gateway's modules declare, as `get /api/v1/customers/{id}`. */
function declaredApiRoutes(): string[] {
  const join = (...parts: string[]): string =>
    `/${parts
      .flatMap((part) => part.split('/'))
      .filter((part) => part !== '')
      .join('/')}`;
  return controllersOf(AppModule).flatMap((controller) => {
    const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      if (typeof handler !== 'function') return [];
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) return [];
      const full = join(base, path)
        .replaceAll(/\{\/\*(\w+)\}/g, '/{$1}')
        .replaceAll(/\*(\w+)/g, '{$1}')
        .replaceAll(/:(\w+)/g, '{$1}');
      return full.startsWith('/api/') || full.startsWith('/proxy/')
        ? [`${RequestMethod[method].toLowerCase()} ${full}`]
        : [];
    });
  });
}

describe('OpenAPI', () => {
  it('is OpenAPI 3.1 at /api/v1/openapi.json and describes every route the gateway serves', async () => {
    const answer = await harness.request<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    }>('GET', PUBLIC_API_PATHS.openapi, { key: null });
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toBe('3.1.0');
    const documented = Object.entries(answer.body.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    const declared = declaredApiRoutes();
    expect(declared).toEqual(
      expect.arrayContaining(['post /api/v1/customers', 'post /api/v1/api_keys/verify']),
    );
    expect(documented.sort()).toEqual([...declared].sort());
    const docs = await fetch(`${harness.gateway.url}${PUBLIC_API_PATHS.docs}`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
  });
});

describe('request limits', () => {
  it('answers a JSON body above 1 MB with 413 problem+json', async () => {
    const answer = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.customers, {
      body: JSON.stringify({ email: 'big@example.com', name: 'x'.repeat(1_100_000) }),
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const answer = await harness.request<ProblemV1>('POST', PUBLIC_API_PATHS.customers, {
      body: '{"email": ',
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('without Redis', () => {
  let isolated: ServiceProcess;

  beforeAll(async () => {
    isolated = await harness.startReplica({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  });

  it('keeps serving, says so in /health/ready, and still limits and revokes', async () => {
    const ready = await fetch(`${isolated.url}/health/ready`);
    expect(ready.status).toBe(200);
    const health = (await ready.json()) as {
      details: Record<string, { status: string; degraded?: boolean }>;
    };
    expect(health.details.redis).toMatchObject({ status: 'up', degraded: true });
    // Ready means its RPC calls can be sent, not only that its queues are declared.
    expect(health.details.broker).toMatchObject({ status: 'up', rpcReplies: true });

    const customer = await harness.createCustomer();
    const key = await harness.createKey(customer.id, {
      rate_limit: { requests: 2, per_seconds: 60 },
    });
    const path = PUBLIC_API_PATHS.customer(customer.id);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1)
      statuses.push((await harness.request('GET', path, { key: key.key, via: isolated })).status);
    expect(statuses).toEqual([200, 200, 429]);

    const other = await harness.createKey(customer.id);
    expect((await harness.request('GET', path, { key: other.key, via: isolated })).status).toBe(
      200,
    );
    await harness.request('POST', PUBLIC_API_PATHS.revokeApiKey(other.id));
    expect((await harness.request('GET', path, { key: other.key, via: isolated })).status).toBe(
      401,
    );
  });
});

describe('the customer limit', () => {
  it('counts every key of one customer together', async () => {
    const replica = await harness.startReplica({
      RATE_LIMIT_CUSTOMER_REQUESTS: '3',
      RATE_LIMIT_CUSTOMER_PER_SECONDS: '60',
    });
    const customer = await harness.createCustomer();
    const [first, second] = [
      await harness.createKey(customer.id),
      await harness.createKey(customer.id),
    ];
    const path = PUBLIC_API_PATHS.customer(customer.id);
    const statuses: number[] = [];
    for (const key of [first, second, first, second])
      statuses.push((await harness.request('GET', path, { key: key.key, via: replica })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const other = await harness.createCustomer();
    const otherKey = await harness.createKey(other.id);
    const unaffected = await harness.request('GET', PUBLIC_API_PATHS.customer(other.id), {
      key: otherKey.key,
      via: replica,
    });
    expect(unaffected.status).toBe(200);
  });
});

describe('a service that does not answer', () => {
  it('is a 504 problem within the RPC timeout, never a hang', async () => {
    const replica = await harness.startReplica({ RPC_TIMEOUT_MS: '1000' });
    await harness.billing.stop();
    const answer = await harness.request<ProblemV1>('GET', PUBLIC_API_PATHS.customers, {
      via: replica,
    });
    expect(answer.status).toBe(504);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.status).toBe(504);
  });
});
