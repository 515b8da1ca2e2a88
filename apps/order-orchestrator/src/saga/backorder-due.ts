import type { EntityManager } from '@mikro-orm/postgresql';
import { WAITING_FOR_STOCK } from '../orders/order.entity';

// Marks in their own table: a rise marks many orders without locking any of them.

/** The ATP of `sku` rose: every order waiting for it is due for a retry, oldest first. */
export async function backordersDueFor(em: EntityManager, sku: string): Promise<void> {
  await em.execute(
    `insert into backorder_retry (order_id)
       select order_id from customer_order where status = any(?::text[]) and backordered @> ?::jsonb order by created_at, order_id
     on conflict (order_id) do update set mark = excluded.mark`,
    [`{${WAITING_FOR_STOCK.join(',')}}`, JSON.stringify([{ sku }])],
    'run',
  );
}

/** One order just backordered something: tried again once, in case the stock rose while it was being decided. */
export async function backorderDue(em: EntityManager, orderId: string): Promise<void> {
  await em.execute('insert into backorder_retry (order_id) values (?) on conflict (order_id) do update set mark = excluded.mark', [orderId], 'run');
}
