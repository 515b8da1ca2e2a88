import type { EntityManager } from '@mikro-orm/postgresql';
import { WAITING_FOR_STOCK } from '../orders/order.entity';
import type { StockRise } from '../stock/stock-levels';

// Marks in their own table: a rise marks many orders without locking any of them.

/**
 * The ATP of `sku` rose at `locationId`: every order waiting for it is due for a retry, oldest
 * first, and may be served there even if a short pick or a refusal had excluded it (`risen`).
 */
export async function backordersDueFor(em: EntityManager, { sku, locationId }: StockRise): Promise<void> {
  await em.execute(
    `insert into backorder_retry (order_id, risen)
       select order_id, array[?] from customer_order where status = any(?::text[]) and backordered @> ?::jsonb order by created_at, order_id
     on conflict (order_id) do update set mark = excluded.mark, risen = array(select distinct unnest(backorder_retry.risen || excluded.risen))`,
    [locationId, `{${WAITING_FOR_STOCK.join(',')}}`, JSON.stringify([{ sku }])],
    'run',
  );
}

/** One order just backordered something: tried again once, in case the stock rose while it was being decided (where it was excluded, it stays so). */
export async function backorderDue(em: EntityManager, orderId: string): Promise<void> {
  await em.execute('insert into backorder_retry (order_id) values (?) on conflict (order_id) do update set mark = excluded.mark', [orderId], 'run');
}
