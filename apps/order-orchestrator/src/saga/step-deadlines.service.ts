import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { setting } from '@fil/config';
import { inTrace } from '@fil/observability';
import { Sweepers, type DeadlineJob } from '@fil/platform';
import { Order } from '../orders/order.entity';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { lockOrder } from '../orders/order-lock';
import { OverdueSteps } from './overdue-steps';
import { SAGA_POLL_MS } from './saga-variables';

/**
 * Every `FIL_SAGA_POLL_MS` (default 1 s), hands each order with a step past its deadline to
 * OverdueSteps, in a transaction of its own: an order whose handling throws holds up no other.
 */
@Injectable()
export class StepDeadlinesService implements OnApplicationBootstrap, DeadlineJob {
  readonly what = 'saga step deadlines';

  constructor(
    private readonly orm: MikroORM,
    private readonly overdue: OverdueSteps,
    private readonly events: OrderEventsPublisher,
    private readonly sweepers: Sweepers,
  ) {}

  onApplicationBootstrap() {
    this.sweepers.start(this, setting(SAGA_POLL_MS));
  }

  async due(limit: number, skip: string[]): Promise<string[]> {
    const rows = await this.orm.em.fork().execute<{ order_id: string }[]>(
      `select order_id from customer_order
        where next_deadline <= now() and order_id not in (select jsonb_array_elements_text(?::jsonb))
        order by next_deadline limit ?`,
      [JSON.stringify(skip), limit],
    );
    return rows.map((row) => row.order_id);
  }

  /** SKIP LOCKED: an order a message is changing, or another instance sweeps, waits for the next sweep. */
  handle(orderId: string): Promise<boolean> {
    return this.orm.em.fork().transactional(async (em: EntityManager) => {
      const [due] = await em.execute(`select 1 from customer_order where order_id = ? and next_deadline <= now() for update skip locked`, [orderId]);
      if (!due) return false;
      const order = await em.findOneOrFail(Order, { orderId });
      // What the sweep sends continues the order's trace, as if its answer had come.
      await inTrace('orchestrator.sweep saga step deadlines', order.traceparent, { 'fil.order.id': orderId }, () => this.overdue.stepsOverdue(em, order));
      return true;
    });
  }

  /** The order leaves the sweep and waits for a person, who is told what failed. */
  giveUp(orderId: string, reason: string): Promise<void> {
    return this.orm.em.fork().transactional(async (em: EntityManager) => {
      const order = await lockOrder(em, orderId);
      if (!order) return;
      for (const { reservationId, deadline } of order.allocations) if (deadline) order.updateAllocation(reservationId, { deadline: undefined });
      const why = `the saga could not handle its overdue steps (${reason}); they are no longer retried: check the order's reservations and fulfillments, then finish or cancel it by hand`;
      if (!order.canMoveTo('NEEDS_ATTENTION')) return;
      await inTrace('orchestrator.sweep gives up', order.traceparent, { 'fil.order.id': orderId }, () => this.events.transition(em, order, 'NEEDS_ATTENTION', why));
    });
  }
}
