import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { setting } from '@fil/config';
import { Sweepers, type DeadlineJob } from '@fil/platform';
import { stockKey } from '../stock/stock.service';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { inTrace } from '@fil/observability';
import { lockOrder } from '../orders/order-lock';
import { Allocator } from './allocator';
import { SAGA_POLL_MS } from './saga-variables';

/**
 * Backorders are served when stock arrives. A rise of a SKU's ATP marks every order
 * waiting for it (backorder-due.ts); this sweep routes the marked orders again for their
 * backordered units, in the order they were marked (oldest first within a rise), a batch
 * at a time, each order in its own transaction (the platform's sweeper: one that throws is
 * skipped with backoff and holds up no other), until none is left. Units promised earlier
 * in a sweep are taken off the view, which has not seen those reservations yet; an order
 * those promises left short stays marked for the next sweep, once the view has caught up.
 */
@Injectable()
export class Backorders implements OnApplicationBootstrap, DeadlineJob {
  readonly what = 'backorder retries';
  /** Units promised by this sweep's retries, by stock key: reset when a sweep starts. */
  private promised = new Map<string, number>();

  constructor(
    private readonly orm: MikroORM,
    private readonly allocator: Allocator,
    private readonly events: OrderEventsPublisher,
    private readonly sweepers: Sweepers,
  ) {}

  onApplicationBootstrap() {
    this.sweepers.start(this, setting(SAGA_POLL_MS));
  }

  /** The marked orders, in the order they were marked (oldest first within a rise). */
  async due(limit: number, skip: string[]): Promise<string[]> {
    this.promised = new Map();
    const rows = await this.orm.em.fork().execute<{ order_id: string }[]>(
      'select order_id from backorder_retry where order_id not in (select jsonb_array_elements_text(?::jsonb)) order by mark limit ?',
      [JSON.stringify(skip), limit],
    );
    return rows.map((row) => row.order_id);
  }

  /** One order, in its own transaction; false when it stays marked (or was no longer). */
  handle(orderId: string): Promise<boolean> {
    return this.orm.em.fork().transactional(async (em: EntityManager) => {
      const [marked] = await em.execute<{ mark: string; risen: string[] }[]>('select mark, risen from backorder_retry where order_id = ?', [orderId]);
      return !!marked && this.retry(em, orderId, marked, this.promised);
    });
  }

  /** Retrying keeps failing: the order waits for a person instead of the next rise of stock. */
  giveUp(orderId: string, reason: string): Promise<void> {
    return this.orm.em.fork().transactional(async (em: EntityManager) => {
      await em.execute('delete from backorder_retry where order_id = ?', [orderId]);
      const order = await lockOrder(em, orderId);
      const why = `serving its backorder keeps failing (${reason}): check its lines and the stock, then allocate or cancel it by hand`;
      if (!order?.canMoveTo('NEEDS_ATTENTION')) return;
      await inTrace('orchestrator.sweep gives up', order.traceparent, { 'fil.order.id': orderId }, () => this.events.transition(em, order, 'NEEDS_ATTENTION', why));
    });
  }

  /** Routes one order's backordered units again; false when it stays marked. */
  private async retry(em: EntityManager, orderId: string, { mark, risen }: { mark: string; risen: string[] }, promised: Map<string, number>): Promise<boolean> {
    const order = await lockOrder(em, orderId);
    let stays = false;
    if (order?.waitsForStock()) {
      // Stock came where a short pick or a refusal had excluded: that count is the real stock there.
      if (order.excluded.some((locationId) => risen.includes(locationId))) order.excluded = order.excluded.filter((locationId) => !risen.includes(locationId));
      const lines = order.backordered;
      const contested = [...promised.keys()].some((key) => lines.some(({ sku }) => key.endsWith(stockKey('', sku))));
      order.backordered = [];
      const decision = await inTrace('orchestrator.sweep backorder retries', order.traceparent, { 'fil.order.id': orderId }, () =>
        this.allocator.allocate(em, order, lines, 'backorder: stock arrived', 'backorder', { promised }),
      );
      if (decision?.outcome !== 'ALLOCATE') order.backordered = lines;
      for (const { locationId, lines: served } of decision?.outcome === 'ALLOCATE' ? decision.allocations : []) {
        for (const { sku, quantity } of served) promised.set(stockKey(locationId, sku), (promised.get(stockKey(locationId, sku)) ?? 0) + quantity);
      }
      stays = contested && order.backordered.length > 0;
    }
    // A rise during this retry marked the order anew: that mark stays, and so does the retry it asks for.
    if (!stays) await em.execute('delete from backorder_retry where order_id = ? and mark = ?', [orderId, mark]);
    return !stays;
  }
}
