import type { EntityManager } from 'typeorm';
import { CustomerFlag, type CustomerFlagName } from './entities/customer-flag.entity.js';

/** The customer's flags, each once (a customer with two lost disputes is flagged `lost_dispute`), sorted. */
export async function customerFlagsOf(
  manager: EntityManager,
  customerId: string,
): Promise<CustomerFlagName[]> {
  const rows = await manager
    .createQueryBuilder(CustomerFlag, 'flag')
    .select('flag.flag', 'flag')
    .distinct(true)
    .where('flag.customerId = :customerId', { customerId })
    .orderBy('flag.flag')
    .getRawMany<{ flag: CustomerFlagName }>();
  return rows.map((row) => row.flag);
}
