import { Injectable } from '@nestjs/common';
import { BILLING_PRODUCT_GET_V1, type CatalogProductV1, type ProductV1 } from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError } from '@aegis/messaging';
import { DataSource, In, type EntityManager } from 'typeorm';
import { Meter } from './entities/meter.entity.js';

/** What metering keeps of a catalogue product, from billing's own answer. */
function catalogProductOf(product: ProductV1): CatalogProductV1 {
  return {
    productId: product.productId,
    pricingType: product.pricingType,
    currency: product.currency,
    unitLabel: product.unitLabel,
    aggregation: product.aggregation,
    aggregationField: product.aggregationField,
    archived: product.archivedAt !== null,
    updatedAt: product.updatedAt,
  };
}

@Injectable()
export class MetersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rpc: AmqpRpcClient,
  ) {}

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

  /**
   * The meters of `productIds` that the catalogue has. A product created a
   * moment ago may not have reached metering's copy through its event yet:
   * metering then asks billing, keeps the answer, and goes on; a product
   * billing does not know is absent from the map.
   */
  async resolve(productIds: readonly string[]): Promise<Map<string, Meter>> {
    const wanted = [...new Set(productIds)];
    const meters = new Map(
      (await this.dataSource.getRepository(Meter).findBy({ productId: In(wanted) })).map((m) => [
        m.productId,
        m,
      ]),
    );
    const missing = wanted.filter((id) => !meters.has(id));
    const fetched = await Promise.all(
      missing.map((productId) => this.fetchFromCatalogue(productId)),
    );
    for (const product of fetched) {
      if (product === undefined) continue;
      await this.apply(this.dataSource.manager, product);
      const meter = await this.dataSource.getRepository(Meter).findOneByOrFail({
        productId: product.productId,
      });
      meters.set(meter.productId, meter);
    }
    return meters;
  }

  private async fetchFromCatalogue(productId: string): Promise<CatalogProductV1 | undefined> {
    try {
      return catalogProductOf((await this.rpc.call(BILLING_PRODUCT_GET_V1, { productId })).product);
    } catch (error) {
      if (error instanceof RpcRemoteError && error.code === 'product_not_found') return undefined;
      throw error;
    }
  }
}
