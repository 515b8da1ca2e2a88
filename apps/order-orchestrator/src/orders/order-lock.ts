import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BatchRows, executeBound } from '@fil/persistence';
import { Order } from './order.entity';

// A row locked once is the same until the transaction ends: a second lock of it costs no query.
const lockedInBatch = new BatchRows<Order>((order) => order.orderId, true);

/** The advisory-lock key space of order ids (two-int form; the outbox relay's single-bigint lock is another space). */
const ORDER_ID_LOCKS = 0x0f11;
const idsLocked = new WeakMap<EntityManager, Set<string>>();

/**
 * Makes the transactions about one order id take turns even before its row exists: a submission
 * and the CancelOrder that overtook it on its own topic, handled at once by two batches or two
 * instances, would each miss the other. Taken before any order row, in hash order, so that
 * batches queue instead of deadlocking; a second call in the same transaction costs nothing.
 */
export async function lockOrderIds(em: EntityManager, orderIds: Iterable<string>): Promise<void> {
  const held = idsLocked.get(em) ?? idsLocked.set(em, new Set()).get(em)!;
  const wanted = [...new Set(orderIds)].filter((id) => !held.has(id));
  if (!wanted.length) return;
  await executeBound(
    em,
    'select pg_advisory_xact_lock(?::int, key) from (select distinct hashtext(id) as key from jsonb_array_elements_text(?::jsonb) as ids(id) order by key) keys',
    [ORDER_ID_LOCKS, JSON.stringify(wanted)],
  );
  for (const id of wanted) held.add(id);
}

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
