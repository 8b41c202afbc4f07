import { Controller } from '@nestjs/common';
import {
  CATALOG_PRODUCT_CREATED_V1,
  CATALOG_PRODUCT_UPDATED_V1,
  type CatalogProductV1,
  type Envelope,
} from '@aegis/contracts';
import { OnEvent, type ConsumeContext } from '@aegis/messaging';
import { MetersService } from './meters.service.js';

/** The catalogue's product events, billing's: metering's meters follow them. */
@Controller()
export class CatalogProductEventsHandler {
  constructor(private readonly meters: MetersService) {}

  @OnEvent(CATALOG_PRODUCT_CREATED_V1)
  created(
    event: Envelope<typeof CATALOG_PRODUCT_CREATED_V1, CatalogProductV1>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.meters.apply(context.manager, event.data);
  }

  @OnEvent(CATALOG_PRODUCT_UPDATED_V1)
  updated(
    event: Envelope<typeof CATALOG_PRODUCT_UPDATED_V1, CatalogProductV1>,
    context: ConsumeContext,
  ): Promise<void> {
    return this.meters.apply(context.manager, event.data);
  }
}
