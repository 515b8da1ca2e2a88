import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { InventoryCommandTypes, InventoryEventTypes, Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, useTestEnvironment } from '@fil/testing';
import { answersTo, answerTo, put, sendCommand, stockAt, store } from './support';

useTestEnvironment('inventory-expiry');
process.env.FIL_EXPIRY_POLL_MS = '200';
jest.setTimeout(90_000);

let app: INestApplication;
let url: string;
const probe = new KafkaProbe();

async function start() {
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
}

function reserveFor(reservationId: string, ttlSeconds: number, quantity: number) {
  return sendCommand(probe, InventoryCommandTypes.reserve, {
    reservationId,
    orderId: `order-${reservationId}`,
    locationId: 'exp-store',
    lines: [{ sku: 'SKU-EXP', quantity }],
    ttlSeconds,
  } as never);
}

beforeAll(async () => {
  await start();
  await probe.start([Topics.inventoryEvents]);
  expect((await put(url, '/locations/exp-store', store)).status).toBe(200);
  expect((await put(url, '/locations/exp-store/stock/SKU-EXP', { onHand: 10, safetyStock: 0 })).status).toBe(200);
});

afterAll(async () => {
  await probe.stop();
  await app?.close();
  await dropDatabase(databaseName('inventory'));
});

it('releases a reservation after its TTL, once, putting the stock back in ATP', async () => {
  await reserveFor('exp-1', 1, 3);
  expect((await answerTo(probe, 'exp-1', InventoryEventTypes.reserved)).value).toMatchObject({ locationId: 'exp-store' });
  expect(await stockAt(url, 'exp-store', 'SKU-EXP')).toMatchObject({ reserved: 3, atp: 7 });

  await answerTo(probe, 'exp-1', InventoryEventTypes.expired);
  expect(await stockAt(url, 'exp-store', 'SKU-EXP')).toMatchObject({ onHand: 10, reserved: 0, atp: 10 });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(answersTo(probe, 'exp-1').filter((m) => m.headers.ce_type === InventoryEventTypes.expired)).toHaveLength(1);
});

it('refuses to consume an expired reservation: a late commit answers ReservationExpired and leaves on-hand alone', async () => {
  await reserveFor('exp-2', 1, 2);
  await answerTo(probe, 'exp-2', InventoryEventTypes.expired);
  await sendCommand(probe, InventoryCommandTypes.commit, { reservationId: 'exp-2', orderId: 'order-exp-2' } as never);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(answersTo(probe, 'exp-2').map((m) => m.headers.ce_type)).not.toContain(InventoryEventTypes.committed);
  expect(await stockAt(url, 'exp-store', 'SKU-EXP')).toMatchObject({ onHand: 10, reserved: 0, atp: 10 });
});

it('still expires a reservation whose deadline passed while inventory was down', async () => {
  await reserveFor('exp-3', 2, 4);
  await answerTo(probe, 'exp-3', InventoryEventTypes.reserved);
  await app.close();
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  await start();
  await answerTo(probe, 'exp-3', InventoryEventTypes.expired);
  expect(await stockAt(url, 'exp-store', 'SKU-EXP')).toMatchObject({ onHand: 10, reserved: 0, atp: 10 });
});

it('expires the other reservations when one of them cannot be expired', async () => {
  // Its stock row does not exist: releasing it throws on every attempt, and its deadline is the oldest.
  await app
    .get<MikroORM>(MikroORM)
    .em.fork()
    .execute(
      `insert into reservation (id, order_id, location_id, lines, status, expires_at)
       values ('exp-broken', 'order-exp-broken', 'exp-store', '[{"sku":"SKU-GHOST","quantity":1}]', 'HELD', now() - interval '1 hour')`,
    );
  for (const id of ['exp-hol-1', 'exp-hol-2', 'exp-hol-3']) await reserveFor(id, 1, 2);
  for (const id of ['exp-hol-1', 'exp-hol-2', 'exp-hol-3']) await answerTo(probe, id, InventoryEventTypes.expired);
  expect(await stockAt(url, 'exp-store', 'SKU-EXP')).toMatchObject({ onHand: 10, reserved: 0, atp: 10 });
});
