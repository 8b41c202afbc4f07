import { Body, Controller, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiKeyResourceV1, CreatedApiKeyV1, ListV1 } from '@aegis/contracts';
import { paginateNewestFirst } from '@aegis/persistence';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { apiKeyResourceOf, createdApiKeyOf } from '../api-keys/api-key-resource.js';
import { ApiKey } from '../api-keys/api-key.entity.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { CreateApiKeyDto, CreatedApiKey } from '../api-keys/dto/api-key.dto.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import {
  CurrentPrincipal,
  CustomerKeysAllowed,
  RequireApiKey,
  assertCustomerVisible,
} from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ListQueryDto, listOf, pageRequestOf, readPage } from '../http/list.js';
import { CustomerDirectory } from './customer-directory.js';
import {
  CreateCustomerDto,
  CustomerIdParams,
  CustomerResource,
  customerResourceOf,
} from './dto/customer.dto.js';

@ApiTags('customers')
@RequireApiKey()
@Controller('api/v1/customers')
export class CustomersController {
  constructor(
    private readonly customers: CustomerDirectory,
    private readonly keys: ApiKeysService,
    private readonly audit: AuditLogService,
    private readonly dataSource: DataSource,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Get or create a customer by your own id (Stripe customer made once)' })
  @ApiCreatedResponse({ type: CustomerResource, description: 'registered now' })
  @ApiOkResponse({ type: CustomerResource, description: 'registered before: nothing changed' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateCustomerDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CustomerResource> {
    const { customer, created } = await this.customers.getOrCreate(body);
    if (created) await this.audit.recordAnswered(principal, 'customer.create', customer.customerId);
    response.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return customerResourceOf(customer);
  }

  @Get()
  @CustomerKeysAllowed()
  @ApiOperation({ summary: 'List customers, newest first (a customer key sees only its own)' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListQueryDto,
  ): Promise<ListV1<CustomerResource>> {
    const page = pageRequestOf(query);
    if (principal.kind === 'customer') {
      const own = page.startingAfter === undefined && page.endingBefore === undefined;
      return listOf(
        own ? [customerResourceOf(await this.customers.get(principal.customerId))] : [],
        false,
      );
    }
    const { customers, hasMore } = await this.customers.list(page);
    return listOf(customers.map(customerResourceOf), hasMore);
  }

  @Get(':id')
  @CustomerKeysAllowed()
  @ApiOkResponse({ type: CustomerResource })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: CustomerIdParams,
  ): Promise<CustomerResource> {
    assertCustomerVisible(principal, params.id);
    return customerResourceOf(await this.customers.get(params.id));
  }

  @Post(':id/api_keys')
  @ApiOperation({
    summary: 'Issue an API key for the customer: the key is shown only in this answer',
  })
  @ApiCreatedResponse({ type: CreatedApiKey })
  async createKey(
    @CurrentPrincipal() principal: Principal,
    @Param() params: CustomerIdParams,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyV1> {
    await this.customers.get(params.id);
    const { key, secret } = await this.keys.create(principal, params.id, body);
    return createdApiKeyOf(key, secret);
  }

  @Get(':id/api_keys')
  @CustomerKeysAllowed()
  @ApiOperation({ summary: "The customer's keys, without secrets, newest first" })
  async listKeys(
    @CurrentPrincipal() principal: Principal,
    @Param() params: CustomerIdParams,
    @Query() query: ListQueryDto,
  ): Promise<ListV1<ApiKeyResourceV1>> {
    assertCustomerVisible(principal, params.id);
    await this.customers.get(params.id);
    const { items, hasMore } = await readPage(() =>
      paginateNewestFirst(
        this.dataSource
          .getRepository(ApiKey)
          .createQueryBuilder('key')
          .where('key.customerId = :customerId', { customerId: params.id }),
        { alias: 'key', id: 'id', createdAt: 'createdAt' },
        pageRequestOf(query),
      ),
    );
    return listOf(items.map(apiKeyResourceOf), hasMore);
  }
}
