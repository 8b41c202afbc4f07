import { exactBigint } from '@aegis/persistence';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A customer's discount, for one product or (`productId` null) for all of
 * them, optionally time-boxed: at most one per (customer, product).
 */
@Entity({ name: 'customer_discounts' })
export class CustomerDiscount {
  @PrimaryGeneratedColumn('uuid', { name: 'discount_id' })
  discountId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'product_id', type: 'text', nullable: true })
  productId!: string | null;

  /** Exactly one of percentOff (a numeric, read as its exact decimal string) and amountOff. */
  @Column({ name: 'percent_off', type: 'numeric', nullable: true })
  percentOff!: string | null;

  /** Minor units of the quoted product's currency. */
  @Column({ name: 'amount_off', type: 'bigint', nullable: true, transformer: exactBigint })
  amountOff!: number | null;

  @Column({ name: 'starts_at', type: 'timestamptz', nullable: true })
  startsAt!: Date | null;

  /** Exclusive: the discount applies before this instant. */
  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true })
  endsAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
