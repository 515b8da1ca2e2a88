import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Order } from '../orders/order.entity';
import { OrderSaga } from './order-saga';

/**
 * Every `FIL_SAGA_POLL_MS` (default 1 s), hands the orders with a step past its deadline
 * to the saga. Deadlines are columns, so a restart loses none; SKIP LOCKED lets several
 * instances sweep without taking the same order twice, or waiting on one a message is
 * changing.
 */
@Injectable()
export class StepDeadlinesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StepDeadlinesService.name);
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly orm: MikroORM,
    private readonly saga: OrderSaga,
  ) {}

  onApplicationBootstrap() {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown() {
    this.running = false;
    await this.loop;
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

  private async run() {
    const pollMs = Number(process.env.FIL_SAGA_POLL_MS ?? 1_000);
    while (this.running) {
      try {
        if (await this.sweep()) continue;
      } catch (error) {
        // The database away, or a lock conflict: the next sweep takes the orders again.
        this.logger.warn(`saga deadline sweep failed: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}
