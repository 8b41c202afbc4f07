import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type {
  CreatedWebhookEndpointV1,
  DeletedWebhookEndpointV1,
  ListV1,
  WebhookDeliveryResourceV1,
  WebhookEndpointResourceV1,
} from '@aegis/contracts';
import { IsString, MaxLength } from 'class-validator';
import { CurrentPrincipal, RequireApiKey } from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import { pageRequestOf } from '../http/list.js';
import {
  CreatedWebhookEndpoint,
  DeletedWebhookEndpoint,
  WebhookDeliveryList,
  WebhookDeliveryResource,
  WebhookEndpointList,
} from './webhook-resources.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { CreateWebhookEndpointDto, WebhookListQueryDto } from './webhooks.dto.js';

export class WebhookIdParams {
  @IsString()
  @MaxLength(64)
  id!: string;
}

/** Outbound webhooks to the operator (docs/webhooks.md); admin keys only. */
@ApiTags('operations')
@RequireApiKey()
@Controller('api/v1/webhook_endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @ApiOperation({
    summary:
      'An endpoint for signed outbound webhooks of the events it names (or `*`); its `secret` is shown this once',
  })
  @ApiResponse({
    status: 201,
    type: CreatedWebhookEndpoint,
    description: 'the endpoint, with its signing secret',
  })
  @ApiResponse({ status: 400, description: 'bad url (not http(s), private address) or events' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWebhookEndpointDto,
  ): Promise<CreatedWebhookEndpointV1> {
    return this.endpoints.create(principal, body.url, body.events);
  }

  @Get()
  @ApiOperation({ summary: 'The webhook endpoints, newest first (never their secrets)' })
  @ApiOkResponse({ type: WebhookEndpointList })
  list(@Query() query: WebhookListQueryDto): Promise<ListV1<WebhookEndpointResourceV1>> {
    return this.endpoints.list(pageRequestOf(query));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete an endpoint and its deliveries: nothing more is sent to it' })
  @ApiOkResponse({ type: DeletedWebhookEndpoint })
  @ApiResponse({ status: 404, description: 'no such endpoint' })
  delete(
    @CurrentPrincipal() principal: Principal,
    @Param() params: WebhookIdParams,
  ): Promise<DeletedWebhookEndpointV1> {
    return this.endpoints.delete(principal, params.id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'The endpoint’s deliveries, newest first, each with its attempts in order',
  })
  @ApiOkResponse({ type: WebhookDeliveryList })
  @ApiResponse({ status: 404, description: 'no such endpoint' })
  deliveries(
    @Param() params: WebhookIdParams,
    @Query() query: WebhookListQueryDto,
  ): Promise<ListV1<WebhookDeliveryResourceV1>> {
    return this.endpoints.deliveries(params.id, pageRequestOf(query));
  }
}

@ApiTags('operations')
@RequireApiKey()
@Controller('api/v1/webhook_deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post(':id/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a delivery again now (failed, pending or delivered); the attempt is listed',
  })
  @ApiResponse({ status: 202, type: WebhookDeliveryResource, description: 'the delivery, due now' })
  @ApiResponse({ status: 404, description: 'no such delivery' })
  retry(
    @CurrentPrincipal() principal: Principal,
    @Param() params: WebhookIdParams,
  ): Promise<WebhookDeliveryResourceV1> {
    return this.endpoints.retry(principal, params.id);
  }
}
