import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Order } from './order.entity';

/** The orders a batch's transaction locked, by id (null: not found), so that each message finds them without a query. */
const lockedInBatch = new WeakMap<EntityManager, Map<string, Order | null>>();

/** Orders are changed under a row lock: Kafka steps, HTTP cancellations and the sweeps take turns. */
export async function lockOrder(em: EntityManager, orderId: string): Promise<Order | null> {
  const locked = lockedInBatch.get(em);
  if (locked?.has(orderId)) return locked.get(orderId)!;
  const order = await em.findOne(Order, { orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  locked?.set(orderId, order);
  return order;
}

/**
 * Locks every order of a batch in one query, in id order so that two batches queue instead
 * of deadlocking; from then on `lockOrder` answers from memory in this transaction.
 */
export async function lockOrders(em: EntityManager, orderIds: Iterable<string>): Promise<Order[]> {
  const ids = [...new Set(orderIds)];
  const found = ids.length ? await em.find(Order, { orderId: { $in: ids } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { orderId: 'asc' } }) : [];
  const locked = new Map<string, Order | null>(ids.map((id) => [id, null]));
  for (const order of found) locked.set(order.orderId, order);
  lockedInBatch.set(em, locked);
  return found;
}

/** An order created in this transaction: later messages of the batch find it before it is flushed. */
export function rememberOrder(em: EntityManager, order: Order): void {
  lockedInBatch.get(em)?.set(order.orderId, order);
}
