import type { AddressInfo } from 'node:net';
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { StripeSandboxEnv } from '../config/stripe-sandbox.env.js';
import { currentApiRequest } from './request-context.js';

/** Addresses that mean "every interface": a browser on this machine reaches them on loopback. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

/**
 * Where browsers reach the sandbox, for the links it hands out (checkout
 * pages, hosted invoice pages and PDFs): `SANDBOX_PUBLIC_URL`; else the
 * scheme and host the API request being served came to; else, for the
 * sandbox's own work (a renewal invoice finalized by a test clock), the
 * address it listens on.
 */
@Injectable()
export class PublicUrl {
  constructor(
    private readonly env: StripeSandboxEnv,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** The base URL, without a trailing slash. */
  base(): string {
    const configured = this.env.SANDBOX_PUBLIC_URL;
    if (configured !== undefined) return configured.replace(/\/+$/, '');
    return currentApiRequest()?.origin ?? this.listeningAddress();
  }

  private listeningAddress(): string {
    const server: unknown = this.adapterHost.httpAdapter.getHttpServer();
    const address =
      typeof server === 'object' && server !== null && 'address' in server
        ? (server as { address(): AddressInfo | string | null }).address()
        : null;
    const port = typeof address === 'object' && address !== null ? address.port : this.env.PORT;
    const host = WILDCARD_HOSTS.has(this.env.HOST) ? '127.0.0.1' : this.env.HOST;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
}
