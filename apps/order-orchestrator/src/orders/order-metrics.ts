import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { filMeter } from '@fil/observability';

/**
 * Orders waiting on a command to inventory or fulfillment that was sent again and is still
 * unanswered: a service that stopped answering shows here before its orders need a person.
 */
export async function ordersWithStepsResent(em: EntityManager): Promise<number> {
  const [row] = await em.execute<{ count: number }[]>(
    `select count(*)::int as count from customer_order
      where next_deadline is not null
        and exists (select 1 from jsonb_array_elements(allocations || availability_checks) step
                     where step->>'deadline' is not null and coalesce((step->>'attempts')::int, 1) > 1)`,
  );
  return row.count;
}

/** Orders per status (NEEDS_ATTENTION among them) and orders whose steps were sent again, counted when metrics are collected. */
@Injectable()
export class OrderMetrics implements OnModuleInit {
  constructor(private readonly orm: MikroORM) {}

  onModuleInit() {
    const orders = filMeter().createObservableGauge('fil.orders', { description: 'Orders in each status' });
    orders.addCallback(async (result) => {
      const rows = await this.orm.em
        .fork()
        .execute<{ status: string; count: number }[]>('select status, count(*)::int as count from customer_order group by status')
        .catch(() => []);
      for (const { status, count } of rows) result.observe(count, { status });
    });
    const resent = filMeter().createObservableGauge('fil.saga.steps_resent', {
      description: 'Orders waiting on a command to inventory or fulfillment sent again and still unanswered: is a service silent?',
    });
    resent.addCallback(async (result) => {
      const count = await ordersWithStepsResent(this.orm.em.fork()).catch(() => undefined);
      if (count !== undefined) result.observe(count);
    });
  }
}
