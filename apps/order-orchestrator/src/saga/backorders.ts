import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { describeError } from '@fil/observability';
import { startSweeper } from '@fil/platform';
import { stockKey } from '../stock/stock.service';
import { lockOrder, OrderSaga } from './order-saga';

/**
 * Backorders are served when stock arrives. A rise of a SKU's ATP marks every order
 * waiting for it (backorder-due.ts); this sweep routes the marked orders again for their
 * backordered units, in the order they were marked (oldest first within a rise), a batch
 * at a time, each order in its own transaction, until none is left. Units promised earlier
 * in a sweep are taken off the view, which has not seen those reservations yet; an order
 * those promises left short stays marked for the next sweep, once the view has caught up.
 */
@Injectable()
export class Backorders implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Backorders.name);
  private sweeper?: { stop: () => Promise<void> };

  constructor(
    private readonly orm: MikroORM,
    private readonly saga: OrderSaga,
  ) {}

  onApplicationBootstrap() {
    this.sweeper = startSweeper('backorder retries', Number(process.env.FIL_SAGA_POLL_MS ?? 1_000), () => this.retryDue(), this.logger);
  }

  async beforeApplicationShutdown() {
    await this.sweeper?.stop();
  }

  /** One batch of marked orders; returns how many are done with (served, or nothing can serve them yet). */
  async retryDue(limit = 20): Promise<number> {
    const due = await this.orm.em.fork().execute<{ order_id: string; mark: string }[]>('select order_id, mark from backorder_retry order by mark limit ?', [limit]);
    const promised = new Map<string, number>();
    let done = 0;
    for (const { order_id, mark } of due) {
      try {
        if (await this.orm.em.fork().transactional((em: EntityManager) => this.retry(em, order_id, mark, promised))) done += 1;
      } catch (error) {
        // One order that fails must not hold the others up: it goes to the back of the queue.
        this.logger.warn(`backorder retry of ${order_id} failed: ${describeError(error)}`);
        await this.orm.em.fork().execute(`update backorder_retry set mark = nextval('backorder_retry_mark') where order_id = ? and mark = ?`, [order_id, mark]);
      }
    }
    return done;
  }

  /** Routes one order's backordered units again; false when it stays marked. */
  private async retry(em: EntityManager, orderId: string, mark: string, promised: Map<string, number>): Promise<boolean> {
    const order = await lockOrder(em, orderId);
    let stays = false;
    if (order?.waitsForStock()) {
      const lines = order.backordered;
      const contested = [...promised.keys()].some((key) => lines.some(({ sku }) => key.endsWith(stockKey('', sku))));
      order.backordered = [];
      const decision = await this.saga.allocate(em, order, lines, 'backorder: stock arrived', 'backorder', { promised });
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
