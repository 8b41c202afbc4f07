import { Body, Controller, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type {
  ApiKeyResourceV1,
  CreatedApiKeyV1,
  RateLimitStateV1,
  VerifyResultV1,
} from '@aegis/contracts';
import { IsString, Matches } from 'class-validator';
import type { Response } from 'express';
import { CurrentPrincipal, RequireApiKey } from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import type { RateLimitDecision } from '../rate-limit/rate-limits.service.js';
import { setRateLimitHeaders } from '../rate-limit/rate-limit-headers.js';
import { apiKeyResourceOf, createdApiKeyOf } from './api-key-resource.js';
import { ApiKeysService } from './api-keys.service.js';
import {
  ApiKeyResource,
  CreatedApiKey,
  RollApiKeyDto,
  VerifyApiKeyDto,
  VerifyResult,
} from './dto/api-key.dto.js';

export class ApiKeyIdParams {
  @IsString()
  @Matches(/^key_[A-Za-z0-9_-]{1,64}$/, { message: 'id must be an API key id (key_…)' })
  id!: string;
}

function rateLimitStateOf(decision: RateLimitDecision): RateLimitStateV1 {
  return {
    limit: decision.limit,
    remaining: decision.remaining,
    reset_at: new Date(Date.now() + decision.resetInMs).toISOString(),
  };
}

@ApiTags('api keys')
@RequireApiKey()
@Controller('api/v1/api_keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post('verify')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Check a key your API received (admin key): valid or why not, its rate limit, and with usage the call metered',
  })
  @ApiOkResponse({ type: VerifyResult })
  async verify(
    @Body() body: VerifyApiKeyDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<VerifyResultV1> {
    const outcome = await this.keys.verify(body.key, body.scope, body.usage);
    if (outcome.rateLimit !== undefined) setRateLimitHeaders(response, outcome.rateLimit);
    if (!outcome.valid)
      return {
        valid: false,
        reason: outcome.reason,
        ...(outcome.rateLimit === undefined
          ? {}
          : { rate_limit: rateLimitStateOf(outcome.rateLimit) }),
      };
    return {
      valid: true,
      key_id: outcome.key.id,
      customer_id: outcome.key.customerId,
      scopes: outcome.key.scopes,
      rate_limit: rateLimitStateOf(outcome.rateLimit),
      ...(outcome.usageEventId === undefined ? {} : { usage_event_id: outcome.usageEventId }),
    };
  }

  @Post(':id/revoke')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Revoke a key: refused on every gateway replica within a second' })
  @ApiOkResponse({ type: ApiKeyResource })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ApiKeyIdParams,
  ): Promise<ApiKeyResourceV1> {
    return apiKeyResourceOf(await this.keys.revoke(principal, params.id));
  }

  @Post(':id/roll')
  @ApiOperation({
    summary: 'A new key in place of this one; the old one works for the grace period',
  })
  @ApiCreatedResponse({ type: CreatedApiKey })
  async roll(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ApiKeyIdParams,
    @Body() body: RollApiKeyDto,
  ): Promise<CreatedApiKeyV1> {
    const { key, secret } = await this.keys.roll(principal, params.id, body.expires_in_seconds);
    return createdApiKeyOf(key, secret);
  }
}
