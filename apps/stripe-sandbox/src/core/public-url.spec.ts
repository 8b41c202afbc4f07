import { describe, expect, it } from '@jest/globals';
import type { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { StripeSandboxEnv } from '../config/stripe-sandbox.env.js';
import { PublicUrl } from './public-url.js';
import { ApiRequestMiddleware } from './request-context.js';

function publicUrl(env: Partial<StripeSandboxEnv>, port = 40123): PublicUrl {
  const adapterHost = {
    httpAdapter: { getHttpServer: () => ({ address: () => ({ port, address: '', family: '' }) }) },
  } as unknown as HttpAdapterHost;
  return new PublicUrl({ PORT: 12111, HOST: '127.0.0.1', ...env } as StripeSandboxEnv, adapterHost);
}

/** Runs `work` as the API request `host` sent would run. */
function duringRequest<T>(host: string, work: () => T): T {
  let result: T | undefined;
  const request = {
    protocol: 'http',
    header: () => undefined,
    get: (name: string) => (name === 'host' ? host : undefined),
  } as unknown as Request;
  const response = { setHeader: () => undefined } as unknown as Response;
  const next: NextFunction = () => {
    result = work();
  };
  new ApiRequestMiddleware().use(request, response, next);
  return result as T;
}

describe(PublicUrl.name, () => {
  it('uses SANDBOX_PUBLIC_URL, without its trailing slash, wherever the request came from', () => {
    const sut = publicUrl({ SANDBOX_PUBLIC_URL: 'https://pay.example/sandbox/' });
    expect(sut.base()).toBe('https://pay.example/sandbox');
    expect(duringRequest('localhost:9', () => sut.base())).toBe('https://pay.example/sandbox');
  });

  it('uses the scheme and host an API request came to', () => {
    expect(duringRequest('localhost:9', () => publicUrl({}).base())).toBe('http://localhost:9');
  });

  it("uses the address it listens on for the sandbox's own work", () => {
    expect(publicUrl({ HOST: '127.0.0.1' }).base()).toBe('http://127.0.0.1:40123');
    expect(publicUrl({ HOST: '0.0.0.0' }).base()).toBe('http://127.0.0.1:40123');
    expect(publicUrl({ HOST: '::1' }).base()).toBe('http://[::1]:40123');
    expect(publicUrl({ HOST: 'sandbox.internal' }, 12111).base()).toBe(
      'http://sandbox.internal:12111',
    );
  });
});
