import type { Aggregation, PricingType } from '@aegis/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A product of the catalogue, under the operator's own id, and its Stripe Product. */
@Entity({ name: 'products' })
export class Product {
  /** PRODUCT_ID_PATTERN of @aegis/contracts (the seed's `api_call`). */
  @PrimaryColumn({ name: 'product_id', type: 'text' })
  productId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'pricing_type', type: 'text' })
  pricingType!: PricingType;

  /** Lower-case ISO 4217, as Stripe writes it; every version of the product prices in it. */
  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'unit_label', type: 'text', nullable: true })
  unitLabel!: string | null;

  /** Usage products only: how a period's usage events add up. */
  @Column({ type: 'text', nullable: true })
  aggregation!: Aggregation | null;

  /** The usage events' metadata key an aggregation reads (`unique_count`), else null. */
  @Column({ name: 'aggregation_field', type: 'text', nullable: true })
  aggregationField!: string | null;

  /** The operator's own metadata (without the `aegis_product_id` Aegis adds in Stripe). */
  @Column({ type: 'jsonb' })
  metadata!: Record<string, string>;

  @Column({ name: 'stripe_product_id', type: 'text', unique: true })
  stripeProductId!: string;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The last change; strictly increasing per product, so consumers order its events by it. */
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
