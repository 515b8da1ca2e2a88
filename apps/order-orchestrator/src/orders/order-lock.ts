import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Order } from './order.entity';

/** Orders are changed under a row lock: Kafka steps, HTTP cancellations and the sweeps take turns. */
export function lockOrder(em: EntityManager, orderId: string): Promise<Order | null> {
  return em.findOne(Order, { orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
}
