import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  BILLING_DISCOUNT_CLEAR_V1,
  BILLING_DISCOUNT_SET_V1,
  BILLING_PRICING_LIST_V1,
  BILLING_PRICING_SET_V1,
  BILLING_PRODUCT_ARCHIVE_V1,
  BILLING_PRODUCT_CREATE_V1,
  BILLING_PRODUCT_GET_V1,
  BILLING_PRODUCT_LIST_V1,
  BILLING_PRODUCT_UPDATE_V1,
  BILLING_QUOTE_V1,
  type DiscountResourceV1,
  type ListV1,
  type PricingVersionResourceV1,
  type ProductResourceV1,
  type QuoteResourceV1,
} from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError } from '@aegis/messaging';
import { InvalidInputException } from '@aegis/platform';
import { AuditLogService } from '../audit/audit-log.service.js';
import {
  CurrentPrincipal,
  CustomerKeysAllowed,
  RequireApiKey,
  assertCustomerVisible,
} from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import { CustomerIdParams } from '../customers/dto/customer.dto.js';
import { stripeFailureOf } from '../gateway.exception.js';
import { listOf, pageRequestOf, readPage } from '../http/list.js';
import {
  ClearDiscountQueryDto,
  CreateProductDto,
  ListProductsQueryDto,
  ProductIdParams,
  QuoteDto,
  SetDiscountDto,
  SetPricingDto,
  UpdateProductDto,
} from './catalog.dto.js';
import {
  DiscountResource,
  PricingVersionResource,
  ProductResource,
  QuoteResource,
  discountResourceOf,
  pricingModelOf,
  pricingVersionResourceOf,
  productResourceOf,
  quoteResourceOf,
  unitAmountOf,
} from './catalog-resources.js';

/**
 * billing names a refused model's fields under `pricing.` (its request's
 * field); in the public body they stand at the top level.
 */
function asBodyFields(error: unknown): unknown {
  // Stripe refusing (502) or down, its breaker open (503): with their codes.
  if (!(error instanceof RpcRemoteError) || error.fields.length === 0)
    return stripeFailureOf(error);
  return new InvalidInputException(
    error.fields.map(({ field, message }) => ({ field: field.replace(/^pricing\./, ''), message })),
  );
}

/** The catalogue and pricing engine: billing's, over RPC. Customer keys may read and quote. */
@ApiTags('catalogue and pricing')
@RequireApiKey()
@Controller('api/v1')
export class CatalogController {
  constructor(
    private readonly rpc: AmqpRpcClient,
    private readonly audit: AuditLogService,
  ) {}

  @Post('products')
  @ApiOperation({
    summary: 'Create a product (outcome: per deliverable; usage: per unit of metered usage)',
  })
  @ApiCreatedResponse({ type: ProductResource })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateProductDto,
  ): Promise<ProductResourceV1> {
    const price = unitAmountOf(body.base_price_cents, body.unit_amount_decimal);
    if ('refusal' in price)
      throw new InvalidInputException([
        {
          field: 'base_price_cents',
          message: price.refusal.replace('price_cents', 'base_price_cents'),
        },
      ]);
    const { product } = await this.rpc
      .call(BILLING_PRODUCT_CREATE_V1, {
        productId: body.id,
        name: body.name,
        pricingType: body.pricing_type,
        currency: body.currency,
        unitAmountDecimal: price.amount,
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.unit_label === undefined ? {} : { unitLabel: body.unit_label }),
        ...(body.aggregation === undefined ? {} : { aggregation: body.aggregation }),
        ...(body.aggregation_field === undefined
          ? {}
          : { aggregationField: body.aggregation_field }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      })
      .catch((error: unknown) => {
        throw stripeFailureOf(error);
      });
    await this.audit.recordAnswered(principal, 'product.create', product.productId);
    return productResourceOf(product);
  }

  @Get('products')
  @CustomerKeysAllowed()
  @ApiOperation({ summary: 'List products, newest first' })
  async list(@Query() query: ListProductsQueryDto): Promise<ListV1<ProductResourceV1>> {
    const { products, hasMore } = await readPage(() =>
      this.rpc.call(BILLING_PRODUCT_LIST_V1, {
        ...pageRequestOf(query),
        ...(query.pricing_type === undefined ? {} : { pricingType: query.pricing_type }),
        includeArchived: query.include_archived === 'true',
      }),
    );
    return listOf(products.map(productResourceOf), hasMore);
  }

  @Get('products/:id')
  @CustomerKeysAllowed()
  @ApiOkResponse({ type: ProductResource })
  async get(@Param() params: ProductIdParams): Promise<ProductResourceV1> {
    return productResourceOf(
      (await this.rpc.call(BILLING_PRODUCT_GET_V1, { productId: params.id })).product,
    );
  }

  @Patch('products/:id')
  @ApiOperation({ summary: 'Change name, description, unit label or metadata' })
  @ApiOkResponse({ type: ProductResource })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ProductIdParams,
    @Body() body: UpdateProductDto,
  ): Promise<ProductResourceV1> {
    const { product } = await this.rpc
      .call(BILLING_PRODUCT_UPDATE_V1, {
        productId: params.id,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.unit_label === undefined ? {} : { unitLabel: body.unit_label }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      })
      .catch((error: unknown) => {
        throw stripeFailureOf(error);
      });
    await this.audit.recordAnswered(principal, 'product.update', product.productId);
    return productResourceOf(product);
  }

  @Post('products/:id/archive')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Archive a product: no new quotes, checkouts or invoice lines' })
  @ApiOkResponse({ type: ProductResource })
  async archive(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ProductIdParams,
  ): Promise<ProductResourceV1> {
    const { product } = await this.rpc
      .call(BILLING_PRODUCT_ARCHIVE_V1, { productId: params.id })
      .catch((error: unknown) => {
        throw stripeFailureOf(error);
      });
    await this.audit.recordAnswered(principal, 'product.archive', product.productId);
    return productResourceOf(product);
  }

  @Put('products/:id/pricing')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'A new pricing version; earlier versions keep pricing their periods' })
  @ApiCreatedResponse({ type: PricingVersionResource })
  async setPricing(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ProductIdParams,
    @Body() body: SetPricingDto,
  ): Promise<PricingVersionResourceV1> {
    const { version } = await this.rpc
      .call(BILLING_PRICING_SET_V1, {
        productId: params.id,
        pricing: pricingModelOf(body),
        ...(body.effective_from === undefined ? {} : { effectiveFrom: body.effective_from }),
      })
      .catch((error: unknown) => {
        throw asBodyFields(error);
      });
    await this.audit.recordAnswered(principal, 'pricing.set', version.id);
    return pricingVersionResourceOf(version);
  }

  @Get('products/:id/pricing')
  @CustomerKeysAllowed()
  @ApiOperation({ summary: "The product's pricing versions, oldest first" })
  async pricingVersions(
    @Param() params: ProductIdParams,
  ): Promise<{ object: 'list'; data: PricingVersionResourceV1[]; has_more: false }> {
    const { versions } = await this.rpc.call(BILLING_PRICING_LIST_V1, { productId: params.id });
    return { object: 'list', data: versions.map(pricingVersionResourceOf), has_more: false };
  }

  @Put('customers/:id/discount')
  @ApiOperation({ summary: "Set the customer's discount (for one product, or for all)" })
  @ApiOkResponse({ type: DiscountResource })
  async setDiscount(
    @CurrentPrincipal() principal: Principal,
    @Param() params: CustomerIdParams,
    @Body() body: SetDiscountDto,
  ): Promise<DiscountResourceV1> {
    if ((body.percent_off === undefined) === (body.amount_off_cents === undefined))
      throw new InvalidInputException([
        { field: 'percent_off', message: 'give exactly one of percent_off and amount_off_cents' },
      ]);
    if (
      body.starts_at !== undefined &&
      body.ends_at !== undefined &&
      Date.parse(body.ends_at) <= Date.parse(body.starts_at)
    )
      throw new InvalidInputException([
        { field: 'ends_at', message: 'ends_at must be after starts_at' },
      ]);
    const { discount } = await this.rpc.call(BILLING_DISCOUNT_SET_V1, {
      customerId: params.id,
      ...(body.percent_off === undefined ? {} : { percentOff: body.percent_off }),
      ...(body.amount_off_cents === undefined ? {} : { amountOff: body.amount_off_cents }),
      ...(body.product_id === undefined ? {} : { productId: body.product_id }),
      ...(body.starts_at === undefined ? {} : { startsAt: body.starts_at }),
      ...(body.ends_at === undefined ? {} : { endsAt: body.ends_at }),
    });
    await this.audit.recordAnswered(principal, 'discount.set', params.id);
    return discountResourceOf(discount);
  }

  @Delete('customers/:id/discount')
  @ApiOperation({ summary: "Clear the customer's discount (`?product_id=` for a product's)" })
  async clearDiscount(
    @CurrentPrincipal() principal: Principal,
    @Param() params: CustomerIdParams,
    @Query() query: ClearDiscountQueryDto,
  ): Promise<{ cleared: boolean }> {
    const { cleared } = await this.rpc.call(BILLING_DISCOUNT_CLEAR_V1, {
      customerId: params.id,
      ...(query.product_id === undefined ? {} : { productId: query.product_id }),
    });
    if (cleared) await this.audit.recordAnswered(principal, 'discount.clear', params.id);
    return { cleared };
  }

  @Post('pricing/quote')
  @HttpCode(HttpStatus.OK)
  @CustomerKeysAllowed()
  @ApiOperation({ summary: 'What a quantity of a product costs, with the customer’s discount' })
  @ApiOkResponse({ type: QuoteResource })
  async quote(
    @CurrentPrincipal() principal: Principal,
    @Body() body: QuoteDto,
  ): Promise<QuoteResourceV1> {
    const customerId =
      body.customer_id ?? (principal.kind === 'customer' ? principal.customerId : undefined);
    if (customerId !== undefined) assertCustomerVisible(principal, customerId);
    const quote = await this.rpc.call(BILLING_QUOTE_V1, {
      productId: body.product_id,
      quantity: body.quantity,
      ...(customerId === undefined ? {} : { customerId }),
      ...(body.at === undefined ? {} : { at: body.at }),
    });
    return quoteResourceOf(quote);
  }
}
