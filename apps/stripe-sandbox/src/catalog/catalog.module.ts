import { Module } from '@nestjs/common';
import { PricesController } from './prices.controller.js';
import { PricesService } from './prices.service.js';
import { ProductsController } from './products.controller.js';
import { ProductsService } from './products.service.js';

/** Products and prices. */
@Module({
  controllers: [ProductsController, PricesController],
  providers: [ProductsService, PricesService],
  exports: [ProductsService, PricesService],
})
export class CatalogModule {}
