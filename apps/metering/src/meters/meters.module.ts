import { Module } from '@nestjs/common';
import { CatalogProductEventsHandler } from './catalog-product-events.handler.js';
import { MetersService } from './meters.service.js';

@Module({
  controllers: [CatalogProductEventsHandler],
  providers: [MetersService],
  exports: [MetersService],
})
export class MetersModule {}
