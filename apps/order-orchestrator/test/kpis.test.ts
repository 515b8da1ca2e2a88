import type { INestApplication } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { haversineKm } from '@fil/geo';
import { databaseName, dropDatabase } from '@fil/persistence';
import { startService, testToken, useTestEnvironment } from '@fil/testing';
import { call } from './support';

useTestEnvironment('orders-kpis');
jest.setTimeout(60_000);

let app: INestApplication;
let url: string;

const WINDOW = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T01:00:00.000Z' };
const at = (minutes: number) => new Date(Date.parse(WINDOW.from) + minutes * 60_000).toISOString();
const WH = { id: 'WH-K', lat: 45, lng: 4 };
const ST = { id: 'ST-K', lat: 45, lng: 5 };
const HOME = { lat: 46, lng: 4 };

interface KnownOrder {
  id: string;
  channel: string;
  mode: 'HOME_DELIVERY' | 'CLICK_AND_COLLECT' | 'E_RESERVATION';
  units: number;
  status: string;
  created?: string;
  allocations?: { locationId: string; kind: string; quantity: number }[];
  backordered?: number;
  reached: [status: string, minutes: number][];
  returned?: number;
  restocked?: number;
}

/** Each order as the saga would have left it: its first routing decision, its timeline and its returns. */
const ORDERS: KnownOrder[] = [
  { id: 'K1', channel: 'web', mode: 'HOME_DELIVERY', units: 2, status: 'PARTIALLY_RETURNED', allocations: [{ locationId: WH.id, kind: 'SHIP', quantity: 2 }], reached: [['ALLOCATED', 1], ['SHIPPED', 5], ['DELIVERED', 20], ['PARTIALLY_RETURNED', 40]], returned: 2, restocked: 1 },
  { id: 'K2', channel: 'web', mode: 'HOME_DELIVERY', units: 3, status: 'CANCELLED', allocations: [{ locationId: WH.id, kind: 'SHIP', quantity: 1 }, { locationId: ST.id, kind: 'SHIP', quantity: 1 }], backordered: 1, reached: [['PARTIALLY_ALLOCATED', 1], ['CANCELLED', 3]] },
  { id: 'K3', channel: 'web', mode: 'CLICK_AND_COLLECT', units: 2, status: 'COLLECTED', allocations: [{ locationId: ST.id, kind: 'PICKUP', quantity: 1 }, { locationId: WH.id, kind: 'TRANSFER', quantity: 1 }], reached: [['ALLOCATED', 1], ['READY_FOR_PICKUP', 10], ['COLLECTED', 30]] },
  { id: 'K4', channel: 'app', mode: 'E_RESERVATION', units: 1, status: 'COLLECTED', allocations: [{ locationId: ST.id, kind: 'PICKUP', quantity: 1 }], reached: [['RESERVED', 1], ['COLLECTED', 50]] },
  { id: 'K5', channel: 'app', mode: 'E_RESERVATION', units: 1, status: 'EXPIRED', allocations: [{ locationId: ST.id, kind: 'PICKUP', quantity: 1 }], reached: [['RESERVED', 1], ['EXPIRED', 59]] },
  // Rejected after its first decision allocated its unit (a shortage under a REJECT policy): left out of the fill rate, numerator too.
  { id: 'K6', channel: 'app', mode: 'HOME_DELIVERY', units: 1, status: 'REJECTED', allocations: [{ locationId: WH.id, kind: 'SHIP', quantity: 1 }], reached: [['REJECTED', 5]] },
  // Outside the window: counts nowhere.
  { id: 'K0', channel: 'web', mode: 'HOME_DELIVERY', units: 5, status: 'CANCELLED', created: '2025-12-31T23:59:59.000Z', allocations: [{ locationId: WH.id, kind: 'SHIP', quantity: 5 }], reached: [['CANCELLED', 0]] },
];

async function record(order: KnownOrder) {
  const em = app.get(MikroORM).em.fork() as EntityManager;
  const created = order.created ?? at(0);
  const first = order.allocations && {
    outcome: 'ALLOCATE',
    allocations: order.allocations.map(({ locationId, kind, quantity }) => ({ locationId, kind, lines: [{ sku: 'SKU-K', quantity }] })),
    backordered: order.backordered ? [{ sku: 'SKU-K', quantity: order.backordered }] : [],
  };
  await em.execute(
    `insert into customer_order (order_id, channel, delivery_mode, lines, status, routing_decisions, shipping_address, pickup_location_id, returned, restocked, content_hash, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'known', ?, ?)`,
    [
      order.id, order.channel, order.mode,
      JSON.stringify([{ lineId: '1', sku: 'SKU-K', quantity: order.units, unitPrice: 10 }]),
      order.status,
      first ? 1 : 0,
      order.mode === 'HOME_DELIVERY' ? JSON.stringify(HOME) : null,
      order.mode === 'HOME_DELIVERY' ? null : ST.id,
      JSON.stringify(order.returned ? { 'SKU-K': order.returned } : {}),
      JSON.stringify(order.restocked ? { 'SKU-K': order.restocked } : {}),
      created, created,
    ],
  );
  if (first) await em.execute('insert into routing_decision (order_id, seq, record) values (?, 0, ?)', [order.id, JSON.stringify(first)]);
  const steps: [string, number][] = [['RECEIVED', 0], ...order.reached];
  for (const [index, [status, minutes]] of steps.entries()) {
    await em.execute(`insert into order_transition (order_id, number, from_status, to_status, cause, at) values (?, ?, ?, ?, 'known', ?)`, [
      order.id, index + 1, index ? steps[index - 1][0] : null, status, new Date(Date.parse(created) + minutes * 60_000).toISOString(),
    ]);
  }
}

beforeAll(async () => {
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  const em = app.get(MikroORM).em.fork() as EntityManager;
  for (const { id, lat, lng } of [WH, ST]) {
    await em.execute(`insert into location_view (id, name, type, lat, lng, ship, pickup, reserve, updated_at) values (?, ?, ?, ?, ?, true, ?, ?, now())`, [
      id, id, id === WH.id ? 'WAREHOUSE' : 'STORE', lat, lng, id === ST.id, id === ST.id,
    ]);
  }
  for (const order of ORDERS) await record(order);
});

afterAll(async () => {
  await app?.close();
  await dropDatabase(databaseName('orders'));
});

const round = (value: number) => Math.round(value * 10_000) / 10_000;

describe('GET /kpis', () => {
  it('computes the figures of a known set of orders in the window, in total', async () => {
    const { status, body } = await call(url, 'GET', `/kpis?from=${WINDOW.from}&to=${WINDOW.to}`, undefined, testToken('ops'));
    expect(status).toBe(200);
    const km = [haversineKm(WH, HOME), haversineKm(WH, HOME), haversineKm(ST, HOME), haversineKm(WH, ST), haversineKm(WH, HOME)];
    expect(body.total).toEqual({
      orders: 6,
      rejected: 1,
      fillRate: round(8 / 9),
      splitRate: round(2 / 6),
      shipmentsPerOrder: round(8 / 6),
      averageDistanceKm: round(km.reduce((sum, value) => sum + value, 0) / km.length),
      backorderRate: round(1 / 5),
      clickAndCollectShare: round(1 / 6),
      clickAndCollectSecondsToReady: 600,
      eReservationConversion: 0.5,
      cancellationRate: round(1 / 6),
      returnRate: round(1 / 3),
      restockRate: 0.5,
    });
  });

  it('splits them per channel and delivery mode, with null where a rate has nothing to count', async () => {
    const { body } = await call(url, 'GET', `/kpis?from=${WINDOW.from}&to=${WINDOW.to}`, undefined, testToken('ops'));
    const group = (channel: string, deliveryMode: string) => body.groups.find((g: any) => g.channel === channel && g.deliveryMode === deliveryMode);
    expect(body.groups).toHaveLength(4);
    expect(group('web', 'HOME_DELIVERY')).toMatchObject({ orders: 2, fillRate: 0.8, splitRate: 0.5, backorderRate: 0.5, cancellationRate: 0.5, returnRate: 1, eReservationConversion: null });
    expect(group('app', 'E_RESERVATION')).toMatchObject({ orders: 2, eReservationConversion: 0.5, averageDistanceKm: null, returnRate: 0 });
    expect(group('app', 'HOME_DELIVERY')).toMatchObject({ orders: 1, rejected: 1, fillRate: null, splitRate: 0, shipmentsPerOrder: 1 });
  });

  it('gives the total figures per hour bucket, every bucket listed, the one holding the window equal to its total', async () => {
    const window = await call(url, 'GET', `/kpis?from=${WINDOW.from}&to=${WINDOW.to}`, undefined, testToken('ops'));
    const { status, body } = await call(url, 'GET', '/kpis?from=2025-12-31T22:00:00.000Z&to=2026-01-01T01:30:00.000Z&bucket=hour', undefined, testToken('ops'));
    expect(status).toBe(200);
    expect(body.buckets.map((b: any) => [b.from, b.to, b.orders])).toEqual([
      ['2025-12-31T22:00:00.000Z', '2025-12-31T23:00:00.000Z', 0],
      ['2025-12-31T23:00:00.000Z', '2026-01-01T00:00:00.000Z', 1],
      ['2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z', 6],
      ['2026-01-01T01:00:00.000Z', '2026-01-01T01:30:00.000Z', 0],
    ]);
    const { from: _from, to: _to, ...figures } = body.buckets[2];
    expect(figures).toEqual(window.body.total);
    expect(body.buckets[1]).toMatchObject({ cancellationRate: 1, fillRate: 1, averageDistanceKm: round(haversineKm(WH, HOME)) });
    expect(body.buckets[0]).toMatchObject({ rejected: 0, fillRate: null, cancellationRate: null, averageDistanceKm: null });
    expect(window.body.buckets).toBeUndefined();
  });

  it('counts day buckets from `from`, and refuses an unknown bucket or more than 200 buckets', async () => {
    const { body } = await call(url, 'GET', '/kpis?from=2025-12-31T12:00:00.000Z&to=2026-01-01T12:00:00.000Z&bucket=day', undefined, testToken('ops'));
    expect(body.buckets.map((b: any) => [b.from, b.orders])).toEqual([['2025-12-31T12:00:00.000Z', 7]]);
    expect((await call(url, 'GET', '/kpis?bucket=week', undefined, testToken('ops'))).status).toBe(400);
    const tooMany = await call(url, 'GET', '/kpis?from=2026-01-01T00:00:00Z&to=2026-01-10T00:00:00Z&bucket=hour', undefined, testToken('ops'));
    expect(tooMany).toMatchObject({ status: 400, body: { message: 'at most 200 buckets: a longer window needs a longer bucket' } });
    expect((await call(url, 'GET', '/kpis?from=2026-01-01T00:00:00Z&to=2026-01-10T00:00:00Z&bucket=day', undefined, testToken('ops'))).body.buckets).toHaveLength(9);
  });

  it('answers a window without orders with zero orders and null rates', async () => {
    const { status, body } = await call(url, 'GET', '/kpis?from=2030-01-01T00:00:00Z&to=2030-01-02T00:00:00Z', undefined, testToken('ops'));
    expect(status).toBe(200);
    expect(body.total).toMatchObject({ orders: 0, rejected: 0, fillRate: null, clickAndCollectShare: null, cancellationRate: null });
    expect(body.groups).toEqual([]);
  });

  it('counts a rejected submission whose lines hold a fractional or huge quantity, without failing on them', async () => {
    const em = app.get(MikroORM).em.fork() as EntityManager;
    const lines = [{ lineId: '1', sku: 'SKU-K', quantity: 1.5, unitPrice: 1 }, { lineId: '2', sku: 'SKU-K', quantity: 1e30, unitPrice: 1 }];
    await em.execute(
      `insert into customer_order (order_id, channel, lines, status, content_hash, created_at, updated_at) values ('K-bad', 'web', ?, 'REJECTED', 'bad', '2026-02-01T00:30:00Z', '2026-02-01T00:30:00Z')`,
      [JSON.stringify(lines)],
    );
    const { status, body } = await call(url, 'GET', '/kpis?from=2026-02-01T00:00:00Z&to=2026-02-01T01:00:00Z', undefined, testToken('ops'));
    expect(status).toBe(200);
    expect(body.total).toMatchObject({ orders: 1, rejected: 1, fillRate: null });
  });

  it('refuses a window that is backwards or too long, and callers without the role', async () => {
    expect((await call(url, 'GET', `/kpis?from=${WINDOW.to}&to=${WINDOW.from}`, undefined, testToken('ops'))).status).toBe(400);
    expect((await call(url, 'GET', `/kpis?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`, undefined, testToken('ops'))).status).toBe(400);
    expect((await call(url, 'GET', `/kpis?from=yesterday`, undefined, testToken('ops'))).status).toBe(400);
    expect((await call(url, 'GET', `/kpis`, undefined, testToken('channel', ['web']))).status).toBe(403);
  });
});
