import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { ServiceEnv, portProperty } from '@aegis/config';
import { IsEmail, IsInt, Min } from 'class-validator';
import { PlatformModule, startService, type RunningService } from '../src/index.js';

class HttpTestEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 0;
}

class CreateThingDto {
  @IsEmail()
  email!: string;

  @IsInt()
  @Min(1)
  amountCents!: number;
}

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() body: CreateThingDto): { ok: true; email: string } {
    return { ok: true, email: body.email };
  }

  @Post('explode')
  explode(): never {
    throw new Error('secret database password leaked in a stack trace');
  }
}

@Module({
  imports: [PlatformModule.forRoot({ service: 'stripe-sandbox', env: HttpTestEnv })],
  controllers: [ThingsController],
})
class HttpTestModule {}

describe('HTTP errors as problem+json', () => {
  let service: RunningService;

  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'test-correlation' },
      body: JSON.stringify(body),
    });

  before(async () => {
    process.env.PORT = '0';
    process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'fatal';
    service = await startService(HttpTestModule, 'stripe-sandbox');
  });

  after(async () => {
    await service.app.close();
  });

  it('answers invalid input with 400 naming every field at fault', async () => {
    const response = await post('/things', { email: 'not-an-email', amountCents: 0, admin: true });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await response.json()) as { status: number; errors: { field: string }[] };
    assert.equal(problem.status, 400);
    assert.deepEqual([...new Set(problem.errors.map((error) => error.field))].sort(), [
      'admin',
      'amountCents',
      'email',
    ]);
  });

  it('accepts valid input', async () => {
    const response = await post('/things', { email: 'a@example.com', amountCents: 100 });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-correlation-id'), 'test-correlation');
  });

  it('answers an unexpected error with a generic 500 carrying only an error id', async () => {
    const response = await post('/things/explode', {});
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.ok(!text.includes('password'), text);
    assert.match(text, /"errorId":"[0-9a-f-]{36}"/);
  });

  it('serves health and Prometheus metrics', async () => {
    assert.equal((await fetch(`${service.url}/health/live`)).status, 200);
    assert.equal((await fetch(`${service.url}/health/ready`)).status, 200);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.match(metrics, /aegis_http_request_seconds_count\{[^}]*route="\/things"/);
  });
});
