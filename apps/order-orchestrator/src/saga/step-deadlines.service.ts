import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { startSweeper } from '@fil/platform';
import { Order } from '../orders/order.entity';
import { OrderSaga } from './order-saga';

/**
 * Every `FIL_SAGA_POLL_MS` (default 1 s), hands the orders with a step past its deadline
 * to the saga. SKIP LOCKED lets several instances sweep without taking the same order
 * twice, or waiting on one a message is changing.
 */
@Injectable()
export class StepDeadlinesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private sweeper?: { stop: () => Promise<void> };

  constructor(
    private readonly orm: MikroORM,
    private readonly saga: OrderSaga,
  ) {}

  onApplicationBootstrap() {
    const pollMs = Number(process.env.FIL_SAGA_POLL_MS ?? 1_000);
    this.sweeper = startSweeper('saga deadline sweep', pollMs, () => this.sweep(), new Logger(StepDeadlinesService.name));
  }

  async beforeApplicationShutdown() {
    await this.sweeper?.stop();
  }

  /** One sweep of up to `limit` overdue orders; how many it found. */
  sweep(limit = 50): Promise<number> {
    return this.orm.em.fork().transactional(async (em: EntityManager) => {
      const due = await em.execute<{ order_id: string }[]>(
        `select order_id from customer_order where next_deadline <= now()
          order by next_deadline limit ? for update skip locked`,
        [limit],
      );
      for (const { order_id } of due) {
        const order = await em.findOneOrFail(Order, { orderId: order_id });
        await this.saga.stepsOverdue(em, order);
        await em.flush();
      }
      return due.length;
    });
  }
}
