import { In, Not, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { ENDED_STATUSES } from './subscription-mirror.js';
import { Subscription } from './entities/subscription.entity.js';

/** The customer's live subscription (the newest one not ended), matching `where` too. */
export function liveSubscriptionOf(
  manager: EntityManager,
  customerId: string,
  where: FindOptionsWhere<Subscription> = {},
): Promise<Subscription | null> {
  return manager.findOne(Subscription, {
    where: { ...where, customerId, status: Not(In([...ENDED_STATUSES])) },
    order: { createdAt: 'DESC' },
  });
}
