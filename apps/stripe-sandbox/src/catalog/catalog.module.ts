import { Module } from '@nestjs/common';
import { PricesService } from './prices.service.js';

/** Products and prices. */
@Module({
  providers: [PricesService],
  exports: [PricesService],
})
export class CatalogModule {}
