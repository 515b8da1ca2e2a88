import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BatchRows } from '@fil/persistence';
import { Order } from './order.entity';

const lockedInBatch = new BatchRows<Order>((order) => order.orderId);

/** Orders are changed under a row lock: Kafka steps, HTTP cancellations and the sweeps take turns. */
export function lockOrder(em: EntityManager, orderId: string): Promise<Order | null> {
  return lockedInBatch.find(em, orderId, () => em.findOne(Order, { orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE }));
}

/**
 * Locks every order of a batch in one query, in id order so that two batches queue instead
 * of deadlocking; from then on `lockOrder` answers from memory in this transaction.
 */
export function lockOrders(em: EntityManager, orderIds: Iterable<string>): Promise<Order[]> {
  return lockedInBatch.preload(em, orderIds, (ids) =>
    em.find(Order, { orderId: { $in: ids } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { orderId: 'asc' } }),
  );
}

/** An order created in this transaction: later messages of the batch find it before it is flushed. */
export function rememberOrder(em: EntityManager, order: Order): void {
  lockedInBatch.created(em, order);
}
