import { Controller } from '@nestjs/common';
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
  type ClearDiscountReplyV1,
  type ClearDiscountRequestV1,
  type CreateProductReplyV1,
  type CreateProductRequestV1,
  type DiscountReplyV1,
  type ListPricingVersionsReplyV1,
  type ListProductsReplyV1,
  type ListProductsRequestV1,
  type PricingVersionReplyV1,
  type ProductRefV1,
  type ProductReplyV1,
  type QuoteRequestV1,
  type QuoteV1,
  type SetDiscountRequestV1,
  type SetPricingRequestV1,
  type UpdateProductRequestV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { DiscountsService } from './discounts.service.js';
import { PricingVersionsService } from './pricing-versions.service.js';
import { ProductsService } from './products.service.js';
import { QuotesService } from './quotes.service.js';

/** The catalogue's RPC routes (libs/contracts/src/rpc/catalog.v1.ts). */
@Controller()
export class CatalogHandler {
  constructor(
    private readonly products: ProductsService,
    private readonly versions: PricingVersionsService,
    private readonly discounts: DiscountsService,
    private readonly quotes: QuotesService,
  ) {}

  @OnRpc(BILLING_PRODUCT_CREATE_V1)
  create(request: CreateProductRequestV1): Promise<CreateProductReplyV1> {
    return this.products.create(request);
  }

  @OnRpc(BILLING_PRODUCT_GET_V1)
  get(request: ProductRefV1): Promise<ProductReplyV1> {
    return this.products.get(request.productId);
  }

  @OnRpc(BILLING_PRODUCT_LIST_V1)
  list(request: ListProductsRequestV1): Promise<ListProductsReplyV1> {
    return this.products.list(request);
  }

  @OnRpc(BILLING_PRODUCT_UPDATE_V1)
  update(request: UpdateProductRequestV1): Promise<ProductReplyV1> {
    return this.products.update(request);
  }

  @OnRpc(BILLING_PRODUCT_ARCHIVE_V1)
  archive(request: ProductRefV1): Promise<ProductReplyV1> {
    return this.products.archive(request.productId);
  }

  @OnRpc(BILLING_PRICING_SET_V1)
  setPricing(request: SetPricingRequestV1): Promise<PricingVersionReplyV1> {
    return this.versions.set(request);
  }

  @OnRpc(BILLING_PRICING_LIST_V1)
  listPricing(request: ProductRefV1): Promise<ListPricingVersionsReplyV1> {
    return this.versions.list(request.productId);
  }

  @OnRpc(BILLING_DISCOUNT_SET_V1)
  setDiscount(request: SetDiscountRequestV1): Promise<DiscountReplyV1> {
    return this.discounts.set(request);
  }

  @OnRpc(BILLING_DISCOUNT_CLEAR_V1)
  clearDiscount(request: ClearDiscountRequestV1): Promise<ClearDiscountReplyV1> {
    return this.discounts.clear(request);
  }

  @OnRpc(BILLING_QUOTE_V1)
  quote(request: QuoteRequestV1): Promise<QuoteV1> {
    return this.quotes.quote(request);
  }
}
