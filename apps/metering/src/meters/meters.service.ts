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

/** How long a meter read from the database is served from memory. */
const METER_CACHE_MS = 1_000;
/** Far beyond any catalogue: only a guard against unbounded growth. */
const METER_CACHE_ENTRIES = 10_000;

@Injectable()
export class MetersService {
  private readonly cache = new Map<string, { readonly meter: Meter; readonly until: number }>();

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
   * The meters of `productIds` that the catalogue has, read through
   * `manager` (a caller inside a transaction passes its own: a second
   * connection per request could exhaust the pool). A product created a
   * moment ago may not have reached metering's copy through its event yet:
   * metering then asks billing, keeps the answer, and goes on; a product
   * billing does not know is absent from the map. Meters read in the last
   * second are served from memory (METER_CACHE_MS): a change, such as an
   * archive, is seen within that second.
   */
  async resolve(
    productIds: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, Meter>> {
    const now = Date.now();
    const meters = new Map<string, Meter>();
    const unknown: string[] = [];
    for (const id of new Set(productIds)) {
      const cached = this.cache.get(id);
      if (cached !== undefined && cached.until > now) meters.set(id, cached.meter);
      else unknown.push(id);
    }
    if (unknown.length === 0) return meters;
    const stored = await manager.getRepository(Meter).findBy({ productId: In(unknown) });
    for (const meter of stored) meters.set(meter.productId, meter);
    const missing = unknown.filter((id) => !meters.has(id));
    const fetched = await Promise.all(
      missing.map((productId) => this.fetchFromCatalogue(productId)),
    );
    for (const product of fetched) {
      if (product === undefined) continue;
      await this.apply(manager, product);
      const meter = await manager.getRepository(Meter).findOneByOrFail({
        productId: product.productId,
      });
      meters.set(meter.productId, meter);
    }
    if (this.cache.size > METER_CACHE_ENTRIES) this.cache.clear();
    for (const id of unknown) {
      const meter = meters.get(id);
      if (meter !== undefined) this.cache.set(id, { meter, until: now + METER_CACHE_MS });
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
