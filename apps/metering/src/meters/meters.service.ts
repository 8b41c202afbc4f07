import { Injectable } from '@nestjs/common';
import type { CatalogProductV1 } from '@aegis/contracts';
import type { EntityManager } from 'typeorm';

@Injectable()
export class MetersService {
  /**
   * Upserts the product's meter in the caller's transaction, unless the row
   * already holds this change or a later one: events of one product can
   * arrive out of order, and its `updatedAt` strictly increases with each
   * change, so the newest always wins.
   */
  async apply(manager: EntityManager, product: CatalogProductV1): Promise<void> {
    await manager.query(
      `INSERT INTO "metering"."meters" AS "meter"
         ("product_id", "pricing_type", "currency", "unit_label", "aggregation",
          "aggregation_field", "archived", "updated_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ("product_id") DO UPDATE SET
         "pricing_type" = EXCLUDED."pricing_type",
         "currency" = EXCLUDED."currency",
         "unit_label" = EXCLUDED."unit_label",
         "aggregation" = EXCLUDED."aggregation",
         "aggregation_field" = EXCLUDED."aggregation_field",
         "archived" = EXCLUDED."archived",
         "updated_at" = EXCLUDED."updated_at"
       WHERE "meter"."updated_at" < EXCLUDED."updated_at"`,
      [
        product.productId,
        product.pricingType,
        product.currency,
        product.unitLabel ?? null,
        product.aggregation ?? null,
        product.aggregationField ?? null,
        product.archived,
        new Date(product.updatedAt),
      ],
    );
  }
}
