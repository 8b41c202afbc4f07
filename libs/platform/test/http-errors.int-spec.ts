import { afterAll, beforeAll, describe, it, expect } from '@jest/globals';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { ServiceEnv, portProperty } from '@aegis/config';
import { IsEmail, IsInt, Min } from 'class-validator';
import request from 'supertest';
import {
  DomainException,
  PlatformModule,
  startService,
  type RunningService,
} from '../src/index.js';

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

  @Post('taken')
  taken(): never {
    throw new ThingException(ThingExceptionCode.THING_TAKEN, 'thing 7 is taken');
  }
}

enum ThingExceptionCode {
  THING_TAKEN = 'thing_taken',
}

class ThingException extends DomainException<ThingExceptionCode> {
  constructor(code: ThingExceptionCode, message: string) {
    super(code, 409, message);
  }
}

@Module({
  imports: [PlatformModule.forRoot({ service: 'stripe-sandbox', env: HttpTestEnv })],
  controllers: [ThingsController],
})
class HttpTestModule {}

describe('HTTP errors as problem+json', () => {
  let service: RunningService;

  const http = () => request(service.app.getHttpServer());

  const post = (path: string, body: object): Promise<request.Response> =>
    http()
      .post(path)
      .set('content-type', 'application/json')
      .set('x-correlation-id', 'test-correlation')
      .send(JSON.stringify(body));

  beforeAll(async () => {
    process.env.PORT = '0';
    process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'fatal';
    service = await startService(HttpTestModule, 'stripe-sandbox');
  });

  afterAll(async () => {
    await service.app.close();
  });

  it('answers invalid input with 400 naming every field at fault', async () => {
    const response = await post('/things', { email: 'not-an-email', amountCents: 0, admin: true });
    expect(response.status).toBe(400);
    expect(response.get('content-type') ?? '').toMatch(/application\/problem\+json/);
    const problem = response.body as { status: number; errors: { field: string }[] };
    expect(problem.status).toBe(400);
    expect([...new Set(problem.errors.map((error) => error.field))].sort()).toStrictEqual([
      'admin',
      'amountCents',
      'email',
    ]);
  });

  it('accepts valid input', async () => {
    const response = await post('/things', { email: 'a@example.com', amountCents: 100 });
    expect(response.status).toBe(201);
    expect(response.get('x-correlation-id')).toBe('test-correlation');
  });

  it('answers a domain exception with its status, code and message', async () => {
    const response = await post('/things/taken', {});
    expect(response.status).toBe(409);
    expect(response.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toStrictEqual({
      type: 'urn:aegis:problem:thing_taken',
      title: 'thing taken',
      status: 409,
      code: 'thing_taken',
      detail: 'thing 7 is taken',
    });
  });

  it('answers an unexpected error with a generic 500 carrying only an error id', async () => {
    const response = await post('/things/explode', {});
    expect(response.status).toBe(500);
    const text = response.text;
    expect(text).not.toContain('password');
    expect(text).toMatch(/"errorId":"[0-9a-f-]{36}"/);
  });

  it('serves health and Prometheus metrics', async () => {
    await http().get('/health/live').expect(200);
    await http().get('/health/ready').expect(200);
    const metrics = (await http().get('/metrics')).text;
    expect(metrics).toMatch(/aegis_http_request_seconds_count\{[^}]*route="\/things"/);
  });
});
