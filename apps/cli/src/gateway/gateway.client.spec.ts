import { describe, it, expect } from '@jest/globals';
import { rejectionOf } from '@aegis/testing';
import { connectionRefused, FakeEnvironment, timedOut } from '../../test/fake-environment.js';
import { CliError, EXIT_REFUSED, EXIT_UNREACHABLE } from '../cli-error.js';
import { GatewayClient, GatewayRefusal } from './gateway.client.js';

const settings = {
  url: 'http://gateway.test:3000',
  apiKey: 'ak_secret',
  apiKeySource: 'AEGIS_API_KEY',
} as const;

function clientOf(environment: FakeEnvironment): GatewayClient {
  return new GatewayClient(settings, environment);
}

describe(GatewayClient.name, () => {
  it('sends the bearer key, list parameters, and an Idempotency-Key on every POST', async () => {
    const environment = new FakeEnvironment()
      .reply(200, { object: 'list', data: [], has_more: false })
      .reply(201, { id: 'cust_1' })
      .reply(201, { id: 'cust_2' });
    const client = clientOf(environment);
    await client.get('/api/v1/customers', { limit: 5, starting_after: 'cust_9' });
    await client.post('/api/v1/customers', { email: 'a@example.com' });
    await client.post('/api/v1/customers', { email: 'b@example.com' }, { idempotencyKey: 'mine' });
    const [list, generated, given] = environment.requests;
    expect(list).toMatchObject({
      method: 'GET',
      url: 'http://gateway.test:3000/api/v1/customers?limit=5&starting_after=cust_9',
      headers: { authorization: 'Bearer ak_secret' },
      body: undefined,
    });
    expect(list?.headers['idempotency-key']).toBeUndefined();
    expect(generated?.headers['idempotency-key']).toBe('generated-key-1');
    expect(given).toMatchObject({
      method: 'POST',
      body: { email: 'b@example.com' },
      headers: { 'idempotency-key': 'mine', 'content-type': 'application/json' },
    });
  });

  it('sends an Idempotency-Key on every PUT too, and the query of a GET or DELETE', async () => {
    const environment = new FakeEnvironment()
      .reply(201, { id: 'pv_1' })
      .reply(201, { id: 'pv_2' })
      .reply(200, { cleared: true })
      .reply(200, { object: 'list', data: [], has_more: false });
    const client = clientOf(environment);
    await client.put('/api/v1/products/p/pricing', { model: 'per_unit', price_cents: 1 });
    await client.put('/api/v1/products/p/pricing', { model: 'per_unit' }, { idempotencyKey: 'k' });
    await client.delete('/api/v1/customers/c/discount', {
      product_id: 'api call',
      other: undefined,
    });
    await client.get('/api/v1/products', {
      pricing_type: 'usage',
      include_archived: true,
      limit: 2,
    });
    const [generated, given, cleared, listed] = environment.requests;
    expect(generated).toMatchObject({
      method: 'PUT',
      body: { model: 'per_unit', price_cents: 1 },
      headers: { 'idempotency-key': 'generated-key-1', 'content-type': 'application/json' },
    });
    expect(given?.headers['idempotency-key']).toBe('k');
    expect(cleared).toMatchObject({
      method: 'DELETE',
      url: 'http://gateway.test:3000/api/v1/customers/c/discount?product_id=api+call',
      body: undefined,
    });
    expect(cleared?.headers['idempotency-key']).toBeUndefined();
    expect(listed?.url).toBe(
      'http://gateway.test:3000/api/v1/products?pricing_type=usage&include_archived=true&limit=2',
    );
  });

  it('returns the status with the answer', async () => {
    const environment = new FakeEnvironment().reply(200, { id: 'cust_1' });
    expect(await clientOf(environment).post('/api/v1/customers', {})).toStrictEqual({
      status: 200,
      body: { id: 'cust_1' },
    });
  });

  it('reports a problem with its title, detail and each field at fault (exit 1)', async () => {
    const problem = {
      type: 'urn:aegis:problem:invalid_request',
      title: 'Bad Request',
      status: 400,
      detail: 'the request is not valid',
      errors: [
        { field: 'email', message: 'must be an email' },
        { field: 'metadata.plan', message: 'must be a string' },
      ],
    };
    const environment = new FakeEnvironment().reply(400, problem);
    const refusal = await rejectionOf(clientOf(environment).post('/x', {}), GatewayRefusal);
    expect(refusal.exitCode).toBe(EXIT_REFUSED);
    expect(refusal.status).toBe(400);
    expect(refusal.body).toStrictEqual(problem);
    expect([refusal.message, ...refusal.details]).toStrictEqual([
      'the gateway answered 400 Bad Request: the request is not valid',
      '  email: must be an email',
      '  metadata.plan: must be a string',
    ]);
  });

  it('says which key to check on a 401, without showing it', async () => {
    const environment = new FakeEnvironment().reply(401, {
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'the API key is unknown, revoked or expired',
    });
    const refusal = await rejectionOf(clientOf(environment).get('/x'), GatewayRefusal);
    expect([refusal.message, ...refusal.details]).toStrictEqual([
      'the gateway answered 401 Unauthorized: the API key is unknown, revoked or expired',
      '  check the API key (it came from AEGIS_API_KEY)',
    ]);
    expect(JSON.stringify(refusal)).not.toMatch(/ak_secret/);
  });

  it('says when to retry a rate-limited call and which request failed on a 5xx', async () => {
    const environment = new FakeEnvironment()
      .reply(
        429,
        { type: 'about:blank', title: 'Too Many Requests', status: 429 },
        { 'retry-after': '3' },
      )
      .reply(
        503,
        {
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: 'billing did not answer',
        },
        { 'x-correlation-id': 'req-42' },
      );
    const client = clientOf(environment);
    expect((await rejectionOf(client.get('/x'), GatewayRefusal)).details).toStrictEqual([
      '  rate limited: retry after 3 s',
    ]);
    const unavailable = await rejectionOf(client.get('/x'), GatewayRefusal);
    expect(unavailable.message).toBe(
      'the gateway answered 503 Service Unavailable: billing did not answer',
    );
    expect(unavailable.details).toStrictEqual(['  request id req-42']);
  });

  it('shows the start of an answer that is not problem+json', async () => {
    const environment = new FakeEnvironment().replyText(
      502,
      '<html>\n  <b>Bad gateway</b>\n</html>',
    );
    const refusal = await rejectionOf(clientOf(environment).get('/x'), GatewayRefusal);
    expect(refusal.message).toBe(
      'the gateway answered 502 Bad Gateway: <html> <b>Bad gateway</b> </html>',
    );
    expect(refusal.body).toBeUndefined();
  });

  it('fails (exit 1) on a success that is not JSON', async () => {
    const environment = new FakeEnvironment().replyText(200, 'hello');
    const error = await rejectionOf(clientOf(environment).get('/x'), CliError);
    expect(error.exitCode).toBe(EXIT_REFUSED);
    expect(error.message).toBe('the gateway answered 200 with something that is not JSON');
  });

  it('exits 3 when the gateway cannot be reached or does not answer in time', async () => {
    const environment = new FakeEnvironment().failWith(connectionRefused()).failWith(timedOut());
    const client = clientOf(environment);
    const refused = await rejectionOf(client.get('/x'), CliError);
    expect(refused.exitCode).toBe(EXIT_UNREACHABLE);
    expect(refused.message).toBe(
      'cannot reach the gateway at http://gateway.test:3000: connect ECONNREFUSED 127.0.0.1:3000',
    );
    const late = await rejectionOf(client.post('/x', {}, { timeoutMs: 2_000 }), CliError);
    expect(late.exitCode).toBe(EXIT_UNREACHABLE);
    expect(late.message).toBe('the gateway at http://gateway.test:3000 did not answer within 2 s');
  });
});
