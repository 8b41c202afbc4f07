import type { Aggregation, PricingType } from '@aegis/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * metering's copy of a catalogue product (billing owns it), fed by
 * `catalog.product.*.v1`: how its usage adds up, and whether it is archived.
 */
@Entity({ name: 'meters' })
export class Meter {
  @PrimaryColumn({ name: 'product_id', type: 'text' })
  productId!: string;

  @Column({ name: 'pricing_type', type: 'text' })
  pricingType!: PricingType;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'unit_label', type: 'text', nullable: true })
  unitLabel!: string | null;

  /** Usage products only. */
  @Column({ type: 'text', nullable: true })
  aggregation!: Aggregation | null;

  @Column({ name: 'aggregation_field', type: 'text', nullable: true })
  aggregationField!: string | null;

  @Column({ type: 'boolean' })
  archived!: boolean;

  /** The product's `updatedAt` of the change applied: an older event changes nothing. */
  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
