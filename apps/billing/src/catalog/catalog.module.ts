import { Module } from '@nestjs/common';
import { CatalogHandler } from './catalog.handler.js';
import { DiscountsService } from './discounts.service.js';
import { PricingVersionsService } from './pricing-versions.service.js';
import { ProductsService } from './products.service.js';
import { QuotesService } from './quotes.service.js';

@Module({
  controllers: [CatalogHandler],
  providers: [ProductsService, PricingVersionsService, DiscountsService, QuotesService],
  exports: [PricingVersionsService, DiscountsService],
})
export class CatalogModule {}
