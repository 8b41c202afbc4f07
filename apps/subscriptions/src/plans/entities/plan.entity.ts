import type { PlanId } from '@aegis/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { exactBigint } from '@aegis/persistence';

/** One of the agent-as-employee plans, and its Stripe Product. */
@Entity({ name: 'plans' })
export class Plan {
  @PrimaryColumn({ name: 'plan_id', type: 'text' })
  planId!: PlanId;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  currency!: string;

  /** Per calendar month; null: unlimited. */
  @Column({ name: 'included_hours', type: 'integer', nullable: true })
  includedHours!: number | null;

  @Column({
    name: 'overage_price_cents',
    type: 'bigint',
    nullable: true,
    transformer: exactBigint,
  })
  overagePriceCents!: number | null;

  /** Each subscription names its own price. */
  @Column({ type: 'boolean' })
  custom!: boolean;

  @Column({ name: 'stripe_product_id', type: 'text', nullable: true })
  stripeProductId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
