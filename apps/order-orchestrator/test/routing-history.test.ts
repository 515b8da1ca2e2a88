import { MikroORM } from '@mikro-orm/postgresql';
import { databaseName, dropDatabase, ensureDatabase, ormOptions } from '@fil/persistence';
import { useTestEnvironment } from '@fil/testing';
import { attentionFromMigration } from '../src/migrations/0011-attention-from.migration';
import { loadOrderView } from '../src/orders/dto/order.view';
import type { RoutingRecord } from '../src/orders/order-routing-record.entity';
import { Order } from '../src/orders/order.entity';
import { loadRecordedDecisions } from '../src/routing/recorded-decisions';

useTestEnvironment('orders-routing-history');
jest.setTimeout(60_000);

const LINES = [{ sku: 'SKU-A', quantity: 2 }];
const WH = { id: 'WH-A', type: 'WAREHOUSE', lat: 45.76, lng: 4.84, ship: true, pickup: false, reserve: false, underCapacity: true };
/** Two decisions as the saga kept them in the order's row before 0012: the first with what it saw. */
const HISTORY = [
  {
    at: '2026-01-01T00:00:00.000Z',
    cause: 'initial routing',
    lines: LINES,
    outcome: 'ALLOCATE',
    allocations: [{ locationId: 'WH-A', kind: 'SHIP', lines: LINES }],
    backordered: [],
    explanation: { policyVersion: 'policy-v1', candidates: [{ locationId: 'WH-A', cost: 4 }], reason: 'the only holder' },
    inputs: { lines: LINES, shippingAddress: { lat: 45.7, lng: 4.8 }, excluded: [], atp: { 'SKU-A': { 'WH-A': 10 } }, locations: [WH] },
  },
  {
    at: '2026-01-01T00:00:05.000Z',
    cause: 're-route: WH-A refused O-rerouted:R1 (INSUFFICIENT_STOCK)',
    lines: LINES,
    outcome: 'ALLOCATE',
    allocations: [],
    backordered: LINES,
    explanation: { policyVersion: 'policy-v1', candidates: [{ locationId: 'WH-A', filteredOut: 'EXCLUDED_FOR_ORDER' }], reason: 'nobody holds SKU-A' },
  },
];

describe("the routing history, kept apart from the order's row", () => {
  it('carries the histories recorded in the row over to routing_decision, in order, and leaves the row only their count', async () => {
    // Loaded after useTestEnvironment, as the service would be.
    const { database } = await import('../src/app.module');
    await ensureDatabase(databaseName(database.service));
    const orm = await MikroORM.init(ormOptions(database));
    try {
      await orm.getMigrator().up({ to: attentionFromMigration.name });
      const em = orm.em.fork();
      for (const [orderId, routing] of [['O-rerouted', HISTORY], ['O-unrouted', []], ['O-rejected', null]] as const) {
        await em.execute(
          `insert into customer_order (order_id, delivery_mode, lines, status, routing, content_hash, created_at, updated_at) values (?, 'HOME_DELIVERY', ?, 'ALLOCATED', ?, 'h', now(), now())`,
          [orderId, JSON.stringify([{ lineId: '1', ...LINES[0], unitPrice: 1 }]), routing && JSON.stringify(routing)],
        );
      }
      await orm.getMigrator().up();

      expect(await em.execute('select order_id, seq, record from routing_decision order by order_id, seq')).toEqual(
        HISTORY.map((record, seq) => ({ order_id: 'O-rerouted', seq, record })),
      );
      expect(await em.execute('select order_id, routing_decisions from customer_order order by order_id')).toEqual([
        { order_id: 'O-rejected', routing_decisions: 0 },
        { order_id: 'O-rerouted', routing_decisions: 2 },
        { order_id: 'O-unrouted', routing_decisions: 0 },
      ]);
      const columns = await em.execute<{ column_name: string }[]>(`select column_name from information_schema.columns where table_name = 'customer_order'`);
      expect(columns.map((column) => column.column_name)).not.toContain('routing');

      const order = (await em.findOne(Order, { orderId: 'O-rerouted' }))!;
      expect((await loadOrderView(em, order)).routing).toEqual(HISTORY);
      const { decisions } = await loadRecordedDecisions((sql, params) => em.execute(sql, params), {});
      expect(decisions).toEqual([expect.objectContaining({ orderId: 'O-rerouted', policyVersion: 'policy-v1', inputs: HISTORY[0].inputs })]);
      // A decision taken after the migration follows the carried ones.
      expect(order.routed(HISTORY[1] as RoutingRecord)).toMatchObject({ orderId: 'O-rerouted', seq: 2 });
    } finally {
      await orm.close();
      await dropDatabase(databaseName(database.service));
    }
  });
});
