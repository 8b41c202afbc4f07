import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { WebhookIngestEnv } from '../config/webhook-ingest.env.js';
import { adminTokenMatches, bearerTokenOf } from './admin-token.js';

/**
 * Admin routes take `Authorization: Bearer <INGEST_ADMIN_TOKEN>`. Without a
 * configured token they are off: 403 for everyone.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(private readonly env: WebhookIngestEnv) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.env.INGEST_ADMIN_TOKEN;
    if (expected === undefined)
      throw new ForbiddenException('the admin routes are off: INGEST_ADMIN_TOKEN is not set');
    const http = context.switchToHttp();
    const given = bearerTokenOf(http.getRequest<Request>().header('authorization'));
    if (given === undefined || !adminTokenMatches(given, expected)) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="aegis-admin"');
      throw new UnauthorizedException('a valid admin bearer token is required');
    }
    return true;
  }
}
