import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { filMeter } from '@fil/observability';

/** Orders per status (NEEDS_ATTENTION among them), counted when metrics are collected. */
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
  }
}
