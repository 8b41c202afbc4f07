import {
  Controller,
  Delete,
  Get,
  Head,
  Options,
  Patch,
  Post,
  Put,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiDefaultResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AdmittedProxyCall, ProxyAccessGuard, type ProxyCall } from './proxy-access.guard.js';
import { UpstreamProxy } from './upstream-proxy.js';

/** Where the metered proxy lives: no body parser reads requests under it. */
export const PROXY_PATH_PREFIX = '/proxy';

/** `/proxy/{route}` and anything below it. */
const ROUTE_PATH = `${PROXY_PATH_PREFIX.slice(1)}/:route{/*path}`;

const summary = (method: string): string =>
  `Forward a ${method} to the route's upstream (customer key with the route's scope); the answer is metered`;

@ApiTags('metered proxy')
@ApiBearerAuth()
@ApiParam({ name: 'route', description: 'a route of the gateway’s GATEWAY_ROUTES_FILE' })
@ApiParam({
  name: 'path',
  description:
    'the rest of the path, slashes included (may be empty): appended to the upstream URL with the query string',
})
@ApiDefaultResponse({
  description:
    'the upstream’s answer, streamed, with X-Aegis-Customer-Id sent upstream and the caller’s key not',
})
@ApiResponse({ status: 401, description: 'missing, unknown, revoked or expired key' })
@ApiResponse({
  status: 403,
  description: 'an admin key, or a customer key without the route’s scope',
})
@ApiResponse({ status: 404, description: 'no such route (proxy_route_not_found)' })
@ApiResponse({ status: 429, description: 'rate limited: not forwarded, not metered' })
@ApiResponse({ status: 502, description: 'the upstream is unreachable (upstream_unreachable)' })
@ApiResponse({
  status: 504,
  description: 'the upstream did not answer within the route’s timeout_ms (upstream_timeout)',
})
@UseGuards(ProxyAccessGuard)
@Controller()
export class ProxyController {
  constructor(private readonly upstream: UpstreamProxy) {}

  @Get(ROUTE_PATH)
  @ApiOperation({ summary: summary('GET') })
  get(
    @AdmittedProxyCall() call: ProxyCall,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.upstream.forward(call, request, response);
  }

  @Head(ROUTE_PATH)
  @ApiOperation({ summary: summary('HEAD') })
  head(
    @AdmittedProxyCall() call: ProxyCall,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.upstream.forward(call, request, response);
  }

  @Post(ROUTE_PATH)
  @ApiOperation({ summary: summary('POST') })
  post(
    @AdmittedProxyCall() call: ProxyCall,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.upstream.forward(call, request, response);
  }

  @Put(ROUTE_PATH)
  @ApiOperation({ summary: summary('PUT') })
  put(
    @AdmittedProxyCall() call: ProxyCall,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.upstream.forward(call, request, response);
  }

  @Patch(ROUTE_PATH)
  @ApiOperation({ summary: summary('PATCH') })
  patch(
    @AdmittedProxyCall() call: ProxyCall,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.upstream.forward(call, request, response);
  }

  @Delete(ROUTE_PATH)
  @ApiOperation({ summary: summary('DELETE') })
  delete(
    @AdmittedProxyCall() call: ProxyCall,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.upstream.forward(call, request, response);
  }

  @Options(ROUTE_PATH)
  @ApiOperation({ summary: summary('OPTIONS') })
  options(
    @AdmittedProxyCall() call: ProxyCall,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.upstream.forward(call, request, response);
  }
}
