import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { InventoryCommandTypes, InventoryEventTypes, Topics } from '@fil/contracts';
import { startTracing, stopTracing } from '@fil/observability';
import { databaseName, dropDatabase } from '@fil/persistence';
import { AS_ADMIN, ceHeaders, KafkaProbe, settled, startService, useTestEnvironment, waitFor, type ProbedMessage } from '@fil/testing';
import { answersTo, answerTo, put, sendCommand, stockAt, store } from './support';

useTestEnvironment('inventory-expiry');
process.env.FIL_EXPIRY_POLL_MS = '200';
// A commit may reach inventory up to this long after the deadline (a tenth of the hold at most) and still find the units held.
const GRACE_SECONDS = 30;
process.env.FIL_EXPIRY_GRACE_SECONDS = String(GRACE_SECONDS);
// Propagation only, so the test can see the order's trace carried on (exports nothing).
process.env.OTEL_TRACES_EXPORTER = 'none';
startTracing('inventory-expiry-test');
jest.setTimeout(90_000);

let app: INestApplication;
let url: string;
const probe = new KafkaProbe();

async function start() {
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
}

async function stocked(sku: string, onHand: number) {
  expect((await put(url, `/locations/exp-store/stock/${sku}`, { onHand, safetyStock: 0 })).status).toBe(200);
}

function reserveFor(reservationId: string, sku: string, quantity: number, ttlSeconds?: number) {
  return sendCommand(probe, InventoryCommandTypes.reserve, {
    reservationId,
    orderId: `order-${reservationId}`,
    locationId: 'exp-store',
    lines: [{ sku, quantity }],
    ...(ttlSeconds ? { ttlSeconds } : {}),
  } as never);
}

const commit = (reservationId: string) => sendCommand(probe, InventoryCommandTypes.commit, { reservationId, orderId: `order-${reservationId}` } as never);
const typesOf = (reservationId: string) => answersTo(probe, reservationId).map((m) => m.headers.ce_type);

/** The reservation was made before inventory answered, so its deadline is at most `ttlSeconds` after the answer. */
async function pastDeadline(answer: ProbedMessage, ttlSeconds: number): Promise<void> {
  await waitFor(() => Date.now() > answer.timestamp + ttlSeconds * 1000, { what: 'the deadline to pass', intervalMs: 50 });
}

beforeAll(async () => {
  await start();
  await probe.start([Topics.inventoryEvents]);
  expect((await put(url, '/locations/exp-store', store)).status).toBe(200);
});

afterAll(async () => {
  await probe.stop();
  await app?.close();
  await dropDatabase(databaseName('inventory'));
  await stopTracing();
});

it('releases a reservation nobody collected once its deadline and its grace are past, putting the stock back in ATP; a hold of a second is not kept for the configured grace', async () => {
  await stocked('SKU-EXP', 10);
  await reserveFor('exp-1', 'SKU-EXP', 3, 1);
  const reserved = await answerTo(probe, 'exp-1', InventoryEventTypes.reserved);
  expect(reserved.value).toMatchObject({ locationId: 'exp-store' });
  expect(await stockAt(url, 'exp-store', 'SKU-EXP')).toMatchObject({ reserved: 3, atp: 7 });

  const expired = await answerTo(probe, 'exp-1', InventoryEventTypes.expired);
  expect(expired.timestamp - reserved.timestamp).toBeLessThan(GRACE_SECONDS * 1000);
  expect(await stockAt(url, 'exp-store', 'SKU-EXP')).toMatchObject({ onHand: 10, reserved: 0, atp: 10 });
  await settled(app, 'inventory', [Topics.inventoryCommands], probe);
  expect(typesOf('exp-1')).toEqual([InventoryEventTypes.reserved, InventoryEventTypes.expired]);
});

it("expires a reservation in the trace of the command that made it, so the order's journey goes on through the expiry", async () => {
  await stocked('SKU-TRACED', 4);
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const value = { reservationId: 'exp-traced', orderId: 'order-exp-traced', locationId: 'exp-store', lines: [{ sku: 'SKU-TRACED', quantity: 1 }], ttlSeconds: 1 };
  await probe.send(Topics.inventoryCommands, value.orderId, value, ceHeaders('orders', InventoryCommandTypes.reserve, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }));
  const reserved = await answerTo(probe, 'exp-traced', InventoryEventTypes.reserved);
  const expired = await answerTo(probe, 'exp-traced', InventoryEventTypes.expired);
  expect([reserved, expired].map((answer) => answer.headers.traceparent?.split('-')[1])).toEqual([traceId, traceId]);
});

it('consumes a reservation whose commit reaches inventory after the deadline: the collect was accepted before it', async () => {
  await stocked('SKU-LATE', 10);
  await reserveFor('exp-late', 'SKU-LATE', 2, 3600);
  await answerTo(probe, 'exp-late', InventoryEventTypes.reserved);
  // An hour's hold whose deadline has just passed: its grace is the configured one.
  await app.get<MikroORM>(MikroORM).em.fork().execute(`update reservation set created_at = now() - interval '1 hour', expires_at = now() - interval '1 second' where id = 'exp-late'`);
  await commit('exp-late');
  expect((await answerTo(probe, 'exp-late', InventoryEventTypes.committed)).value).toMatchObject({ lines: [{ sku: 'SKU-LATE', quantity: 2 }] });
  await settled(app, 'inventory', [Topics.inventoryCommands], probe);
  expect(typesOf('exp-late')).toEqual([InventoryEventTypes.reserved, InventoryEventTypes.committed]);
  expect(await stockAt(url, 'exp-store', 'SKU-LATE')).toMatchObject({ onHand: 8, reserved: 0, atp: 8 });
});

it('takes the units again when a commit arrives after the sweep released them, and names the reservation that goes short', async () => {
  await stocked('SKU-RETAKE', 5);
  await reserveFor('exp-retake', 'SKU-RETAKE', 3, 1);
  await answerTo(probe, 'exp-retake', InventoryEventTypes.expired);
  // The released units are promised again before the collect's commit arrives.
  await reserveFor('exp-retake-next', 'SKU-RETAKE', 4);
  await answerTo(probe, 'exp-retake-next', InventoryEventTypes.reserved);
  expect(await stockAt(url, 'exp-store', 'SKU-RETAKE')).toMatchObject({ onHand: 5, reserved: 4, atp: 1 });

  await commit('exp-retake');
  await answerTo(probe, 'exp-retake', InventoryEventTypes.committed);
  expect(await stockAt(url, 'exp-store', 'SKU-RETAKE')).toMatchObject({ onHand: 2, reserved: 4, atp: 0 });
  const shortage = await probe.waitForMessage(Topics.inventoryEvents, (m) => m.headers.ce_type === InventoryEventTypes.shortage && m.key === 'exp-store:SKU-RETAKE');
  expect(shortage.value).toMatchObject({
    onHand: 2,
    reserved: 4,
    shortBy: 2,
    adjustmentId: 'exp-retake:SKU-RETAKE:collected-after-expiry',
    reservations: [{ reservationId: 'exp-retake-next', orderId: 'order-exp-retake-next', quantity: 4 }],
  });
  // Three units left once, however it is recorded (a commit, and the adjustment that took them again).
  const plan = (await (await fetch(`${url}/replenishment?locationId=exp-store`, AS_ADMIN)).json()) as { skus: { sku: string; unitsOut: number }[] };
  expect(plan.skus.find(({ sku }) => sku === 'SKU-RETAKE')).toMatchObject({ unitsOut: 3 });
});

it('ends a hold at the deadline its command names, however late inventory handles the command', async () => {
  await stocked('SKU-LAG', 5);
  // Sent with the time left when it was written; inventory, behind, handles it long after: the deadline is the command's.
  await sendCommand(probe, InventoryCommandTypes.reserve, {
    reservationId: 'exp-lag',
    orderId: 'order-exp-lag',
    locationId: 'exp-store',
    lines: [{ sku: 'SKU-LAG', quantity: 2 }],
    ttlSeconds: 3600,
    expiresAt: new Date(Date.now() + 1_000).toISOString(),
  } as never);
  await answerTo(probe, 'exp-lag', InventoryEventTypes.reserved);
  await answerTo(probe, 'exp-lag', InventoryEventTypes.expired);
  expect(await stockAt(url, 'exp-store', 'SKU-LAG')).toMatchObject({ onHand: 5, reserved: 0, atp: 5 });
});

it('still expires a reservation whose deadline passed while inventory was down', async () => {
  await stocked('SKU-DOWN', 10);
  await reserveFor('exp-down', 'SKU-DOWN', 4, 2);
  const reserved = await answerTo(probe, 'exp-down', InventoryEventTypes.reserved);
  await app.close();
  await pastDeadline(reserved, 2);
  await start();
  await answerTo(probe, 'exp-down', InventoryEventTypes.expired);
  expect(await stockAt(url, 'exp-store', 'SKU-DOWN')).toMatchObject({ onHand: 10, reserved: 0, atp: 10 });
});

it('expires the other reservations when one of them cannot be expired', async () => {
  await stocked('SKU-HOL', 10);
  // Its stock row does not exist: releasing it throws on every attempt, and its deadline is the oldest.
  await app
    .get<MikroORM>(MikroORM)
    .em.fork()
    .execute(
      `insert into reservation (id, order_id, location_id, lines, status, expires_at)
       values ('exp-broken', 'order-exp-broken', 'exp-store', '[{"sku":"SKU-GHOST","quantity":1}]', 'HELD', now() - interval '1 hour')`,
    );
  for (const id of ['exp-hol-1', 'exp-hol-2', 'exp-hol-3']) await reserveFor(id, 'SKU-HOL', 2, 1);
  for (const id of ['exp-hol-1', 'exp-hol-2', 'exp-hol-3']) await answerTo(probe, id, InventoryEventTypes.expired);
  expect(await stockAt(url, 'exp-store', 'SKU-HOL')).toMatchObject({ onHand: 10, reserved: 0, atp: 10 });
  // Ops see the one that fails, and why.
  const health = (await (await fetch(`${url}/health`)).json()) as { sweeps: unknown };
  expect(health.sweeps).toEqual([
    { what: 'reservation expiry', failing: [{ id: 'exp-broken', failures: expect.any(Number), stuck: expect.any(Boolean), reason: 'stock row exp-store:SKU-GHOST of reservation exp-broken is missing' }] },
  ]);
});
