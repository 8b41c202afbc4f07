import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PricingModel } from '../../pricing/pricing-model.js';

/**
 * One pricing of a product, in force from `effectiveFrom` until the next
 * version's `effectiveFrom`; kept for ever, so the periods it priced can be
 * priced again. Its Stripe Price bills the same arithmetic.
 */
@Entity({ name: 'pricing_versions' })
export class PricingVersion {
  /** `pv_` and 96 random bits. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'product_id', type: 'text' })
  productId!: string;

  /** 1, 2, … in the order the versions were set (not necessarily of `effectiveFrom`). */
  @Column({ type: 'integer' })
  version!: number;

  /** The model as the pricing engine reads it, validated before it was stored. */
  @Column({ type: 'jsonb' })
  pricing!: PricingModel;

  @Column({ name: 'effective_from', type: 'timestamptz' })
  effectiveFrom!: Date;

  @Column({ name: 'stripe_price_id', type: 'text', unique: true })
  stripePriceId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
