import { randomUUID } from 'node:crypto';
import { InventoryEventTypes, Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, useTestEnvironment, waitFor } from '@fil/testing';
import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { answerTo, put, reserve, stockAt, store } from './support';

useTestEnvironment('inventory-adjustments');
jest.setTimeout(60_000);

let app: INestApplication;
let url: string;
const probe = new KafkaProbe();

/** Sends an adjustment as a POS would; each send is a new message (new ce_id), as a resending POS does. */
function adjust(adjustmentId: string, locationId: string, sku: string, mode: string, quantity: number) {
  return probe.send(
    Topics.inventoryAdjustments,
    `${locationId}:${sku}`,
    { adjustmentId, locationId, sku, mode, quantity, reason: 'cycle count' },
    { ce_id: randomUUID(), ce_type: 'StockAdjusted', ce_source: '/pos', ce_specversion: '1.0' },
  );
}

const levelOf = (key: string, predicate: (value: any) => boolean) =>
  probe.waitForMessage(Topics.stockLevels, (m) => m.key === key && predicate(m.value));

beforeAll(async () => {
  // AppModule names its database from the environment as it loads: load it after useTestEnvironment.
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await probe.start([Topics.stockLevels, Topics.dlq, Topics.inventoryEvents]);
  expect((await put(url, '/locations/pos-1', store)).status).toBe(200);
  await adjust('warm-up', 'pos-1', 'SKU-W', 'SET', 1);
  await levelOf('pos-1:SKU-W', (value) => value.onHand === 1);
});

afterAll(async () => {
  await probe.stop();
  await app?.close();
  await dropDatabase(databaseName('inventory'));
});

it('creates the stock row of a new SKU at a known location and publishes its level', async () => {
  await adjust('new-1', 'pos-1', 'SKU-NEW', 'SET', 7);
  const level = await levelOf('pos-1:SKU-NEW', () => true);
  expect(level.value).toEqual({ locationId: 'pos-1', sku: 'SKU-NEW', onHand: 7, reserved: 0, safetyStock: 0, atp: 7 });
  expect(level.headers.ce_type).toBe('StockLevelChanged');
});

it('applies a SET and a DELTA once each, even when each is sent twice', async () => {
  await adjust('set-1', 'pos-1', 'SKU-S', 'SET', 10);
  await adjust('set-1', 'pos-1', 'SKU-S', 'SET', 10);
  await adjust('delta-1', 'pos-1', 'SKU-S', 'DELTA', 5);
  await adjust('delta-1', 'pos-1', 'SKU-S', 'DELTA', 5);
  await adjust('marker-s', 'pos-1', 'SKU-S', 'DELTA', 0);
  await waitFor(() => probe.messages(Topics.stockLevels, (m) => m.key === 'pos-1:SKU-S').length === 3, { what: 'three stock levels' });
  expect(probe.messages(Topics.stockLevels, (m) => m.key === 'pos-1:SKU-S').map((m) => m.value.onHand)).toEqual([10, 15, 15]);
  expect(await stockAt(url, 'pos-1', 'SKU-S')).toMatchObject({ onHand: 15 });
});

it('sends an adjustmentId reused with other content to the DLQ, naming both, and applies it once', async () => {
  await adjust('reused-1', 'pos-1', 'SKU-R', 'DELTA', 5);
  await levelOf('pos-1:SKU-R', (value) => value.onHand === 5);
  await adjust('reused-1', 'pos-1', 'SKU-R', 'DELTA', 9);
  const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'pos-1:SKU-R');
  expect(dead.value).toMatchObject({
    originalTopic: Topics.inventoryAdjustments,
    reason: 'adjustmentId reused-1 was already applied as DELTA 5 of pos-1:SKU-R (cycle count); this one, DELTA 9 of pos-1:SKU-R (cycle count), is not applied',
  });
  expect(await stockAt(url, 'pos-1', 'SKU-R')).toMatchObject({ onHand: 5 });
});

it('clamps onHand at zero when a DELTA would make it negative', async () => {
  await adjust('clamp-set', 'pos-1', 'SKU-C', 'SET', 2);
  await adjust('clamp-delta', 'pos-1', 'SKU-C', 'DELTA', -5);
  await waitFor(() => probe.messages(Topics.stockLevels, (m) => m.key === 'pos-1:SKU-C').length === 2, { what: 'two stock levels' });
  expect(await stockAt(url, 'pos-1', 'SKU-C')).toMatchObject({ onHand: 0, atp: 0 });
  const [row] = await app.get<MikroORM>(MikroORM).em.fork().execute(`select clamped, on_hand_before, on_hand_after from adjustment where adjustment_id = 'clamp-delta'`);
  expect(row).toEqual({ clamped: true, on_hand_before: 2, on_hand_after: 0 });
});

it('sends an adjustment for an unknown location to the DLQ with the reason', async () => {
  await adjust('lost-1', 'nowhere', 'SKU-A', 'SET', 3);
  const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'nowhere:SKU-A');
  expect(dead.value).toMatchObject({ originalTopic: Topics.inventoryAdjustments, reason: 'unknown location nowhere', consumer: 'inventory' });
});

it('sends an adjustment that fails its contract to the DLQ with the validation errors', async () => {
  await probe.send(Topics.inventoryAdjustments, 'pos-1:SKU-BAD', { adjustmentId: 'bad-1', locationId: 'pos-1', sku: 'SKU-BAD', mode: 'ADD', quantity: 1.5, reason: 'x' });
  const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'pos-1:SKU-BAD');
  expect(dead.value.reason).toMatch(/mode/);
  expect(dead.value.reason).toMatch(/quantity/);
});

it('reports a till sale that leaves fewer units than reserved, naming just enough reservations, newest first', async () => {
  expect((await put(url, '/locations/pos-1/stock/SKU-SH', { onHand: 5, safetyStock: 0 })).status).toBe(200);
  for (const [reservationId, quantity] of [['sh-1', 1], ['sh-2', 2], ['sh-3', 2]] as const) {
    await reserve(probe, reservationId, 'pos-1', [{ sku: 'SKU-SH', quantity }]);
    await answerTo(probe, reservationId, InventoryEventTypes.reserved);
  }
  await adjust('till-sale-1', 'pos-1', 'SKU-SH', 'SET', 2);

  const shortage = await probe.waitForMessage(
    Topics.inventoryEvents,
    (m) => m.headers.ce_type === InventoryEventTypes.shortage && m.value.adjustmentId === 'till-sale-1',
  );
  expect(shortage.key).toBe('pos-1:SKU-SH');
  expect(shortage.value).toEqual({
    locationId: 'pos-1',
    sku: 'SKU-SH',
    onHand: 2,
    reserved: 5,
    shortBy: 3,
    adjustmentId: 'till-sale-1',
    reservations: [
      { reservationId: 'sh-3', orderId: 'order-sh-3', quantity: 2 },
      { reservationId: 'sh-2', orderId: 'order-sh-2', quantity: 2 },
    ],
  });
  // Nothing is hidden: the figures say what is on the shelf, and nothing more can be promised.
  expect(await stockAt(url, 'pos-1', 'SKU-SH')).toMatchObject({ onHand: 2, reserved: 5, atp: 0 });
});

it('names every short reservation of a count that leaves thousands short, in messages that each fit the broker, and applies the count', async () => {
  const count = 2_000;
  expect((await put(url, '/locations/pos-1/stock/SKU-MANY', { onHand: count, safetyStock: 0 })).status).toBe(200);
  // Long ids (as channels may send) make the list of one message go past its 512 KiB bound.
  const id = (n: number) => `${'r'.repeat(180)}-${n}`;
  await app.get<MikroORM>(MikroORM).em.fork().transactional(async (em) => {
    await em.execute(
      `insert into reservation (id, order_id, location_id, lines, status, created_at)
       select '${'r'.repeat(180)}-' || n, '${'o'.repeat(90)}-' || n, 'pos-1', '[{"sku":"SKU-MANY","quantity":1}]', 'HELD', now() - make_interval(secs => ${count} - n)
       from generate_series(1, ${count}) n`,
    );
    await em.execute(`update stock set reserved = ${count} where location_id = 'pos-1' and sku = 'SKU-MANY'`);
  });
  await adjust('shelf-emptied', 'pos-1', 'SKU-MANY', 'SET', 0);

  await levelOf('pos-1:SKU-MANY', (value) => value.onHand === 0);
  const named = await waitFor(() => {
    const shortages = probe.messages(Topics.inventoryEvents, (m) => m.headers.ce_type === InventoryEventTypes.shortage && m.value.adjustmentId === 'shelf-emptied');
    const reservations = shortages.flatMap((m) => m.value.reservations.map((r: { reservationId: string }) => r.reservationId));
    return reservations.length >= count && { shortages, reservations };
  }, { what: 'every short reservation named' });
  expect(new Set(named.reservations).size).toBe(count);
  expect(named.reservations[0]).toBe(id(count));
  expect(named.shortages.length).toBeGreaterThan(1);
  for (const shortage of named.shortages) expect(shortage.value).toMatchObject({ onHand: 0, reserved: count, shortBy: count });
  expect(probe.messages(Topics.dlq, (m) => m.key === 'pos-1:SKU-MANY')).toEqual([]);
});
