import { Body, Controller, Delete, Get, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { CookieOptions, Request, Response } from 'express';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { GatewayEnv } from '../config/gateway.env.js';
import { DashboardException, DashboardExceptionCode } from './dashboard.exception.js';
import { SESSION_COOKIE, type StoredSession } from './dashboard-session.js';
import { DashboardSessions } from './dashboard-sessions.service.js';

export class SignInDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  admin_key!: string;
}

/** What the dashboard learns of its session: never the token, which only the cookie holds. */
export interface DashboardSessionResource {
  readonly object: 'dashboard_session';
  /** Sent back in X-CSRF-Token on every unsafe request. */
  readonly csrf_token: string;
  readonly expires_at: string;
}

function resourceOf(session: StoredSession): DashboardSessionResource {
  return {
    object: 'dashboard_session',
    csrf_token: session.csrfToken,
    expires_at: session.expiresAt,
  };
}

/**
 * Sign-in to the dashboard with the admin key, exchanged for a session cookie
 * (httpOnly, SameSite=Strict, Secure over https) and a CSRF token; the
 * session, and sign-out. Not part of the public API: the dashboard's own.
 */
@ApiExcludeController()
@Controller('dashboard/session')
export class DashboardSessionController {
  constructor(
    private readonly env: GatewayEnv,
    private readonly keys: ApiKeysService,
    private readonly sessions: DashboardSessions,
  ) {}

  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async signIn(
    @Body() body: SignInDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DashboardSessionResource> {
    // A sign-in from another site's form would sign the browser in to the attacker's session.
    this.sessions.assertCsrfSafe(request, null);
    const resolution = await this.keys.resolve(body.admin_key);
    if (resolution.status !== 'admin')
      throw new DashboardException(
        DashboardExceptionCode.SIGN_IN_REFUSED,
        'that is not the admin key: the dashboard signs in with AEGIS_ADMIN_KEY only',
      );
    const { token, session } = await this.sessions.create(resolution.principal.keyId);
    response.cookie(SESSION_COOKIE, token, {
      ...this.cookieOptions(request),
      maxAge: this.env.DASHBOARD_SESSION_TTL_SECONDS * 1_000,
    });
    return resourceOf(session);
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  async current(@Req() request: Request): Promise<DashboardSessionResource> {
    const session = await this.sessions.find(request);
    if (session === null)
      throw new DashboardException(DashboardExceptionCode.SESSION_INVALID, 'not signed in');
    return resourceOf(session);
  }

  @Delete()
  @HttpCode(204)
  signOut(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    return this.end(request, response);
  }

  /** The same as DELETE, for a plain form post. */
  @Post('delete')
  @HttpCode(204)
  signOutByPost(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    return this.end(request, response);
  }

  private async end(request: Request, response: Response): Promise<void> {
    const session = await this.sessions.find(request);
    this.sessions.assertCsrfSafe(request, session);
    await this.sessions.delete(request);
    response.clearCookie(SESSION_COOKIE, this.cookieOptions(request));
  }

  private cookieOptions(request: Request): CookieOptions {
    return {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.secure || (this.env.GATEWAY_PUBLIC_URL?.startsWith('https:') ?? false),
      // The API under /api/v1 reads it too.
      path: '/',
    };
  }
}
