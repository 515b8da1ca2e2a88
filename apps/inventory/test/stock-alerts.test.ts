import { randomUUID } from 'node:crypto';
import { InventoryCommandTypes, StockAlertTypes, Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { AS_ADMIN, KafkaProbe, startService, testToken, useTestEnvironment } from '@fil/testing';
import type { INestApplication } from '@nestjs/common';
import { adjust as adjustStock, answerTo, put, reserve, sendCommand, store } from './support';

useTestEnvironment('inventory-stock-alerts');
jest.setTimeout(60_000);

let app: INestApplication;
let url: string;
const probe = new KafkaProbe();

const adjust = (locationId: string, sku: string, mode: 'SET' | 'DELTA', quantity: number, adjustmentId?: string) => adjustStock(probe, locationId, sku, mode, quantity, adjustmentId);
const alertsOf = (key: string) => probe.messages(Topics.stockAlerts, (m) => m.key === key).map((m) => [m.headers.ce_type, m.value.atp, m.value.reorderPoint]);
const nextAlert = (key: string, type: string) => probe.waitForMessage(Topics.stockAlerts, (m) => m.key === key && m.headers.ce_type === type);
const setPoint = (locationId: string, sku: string, reorderPoint: unknown, token?: string) => put(url, `/locations/${locationId}/stock/${sku}/reorder-point`, { reorderPoint }, token);

beforeAll(async () => {
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await probe.start([Topics.stockAlerts, Topics.inventoryEvents]);
  expect((await put(url, '/locations/ST-A', store)).status).toBe(200);
  expect((await put(url, '/locations/ST-B', store)).status).toBe(200);
});

afterAll(async () => {
  await probe.stop();
  await app?.close();
  await dropDatabase(databaseName('inventory'));
});

it('announces StockLow once when reservations take ATP to the default reorder point (0), and StockRecovered when a release gives it back', async () => {
  expect((await put(url, '/locations/ST-A/stock/SKU-R', { onHand: 3 })).status).toBe(200);
  await reserve(probe, 'r-1', 'ST-A', [{ sku: 'SKU-R', quantity: 2 }]);
  await answerTo(probe, 'r-1', 'StockReserved');
  await reserve(probe, 'r-2', 'ST-A', [{ sku: 'SKU-R', quantity: 1 }]);
  const low = await nextAlert('ST-A:SKU-R', StockAlertTypes.low);
  expect(low.value).toMatchObject({ locationId: 'ST-A', sku: 'SKU-R', atp: 0, reorderPoint: 0, onHand: 3, reserved: 3, safetyStock: 0 });
  await sendCommand(probe, InventoryCommandTypes.release, { reservationId: 'r-2', orderId: 'order-r-2' } as never);
  await nextAlert('ST-A:SKU-R', StockAlertTypes.recovered);
  expect(alertsOf('ST-A:SKU-R')).toEqual([
    ['StockLow', 0, 0],
    ['StockRecovered', 1, 0],
  ]);
});

it("announces each crossing of a SKU's own reorder point once, however many changes stay on one side and however often one is delivered", async () => {
  expect((await put(url, '/locations/ST-A/stock/SKU-P', { onHand: 10 })).status).toBe(200);
  expect(await (await setPoint('ST-A', 'SKU-P', 5)).json()).toEqual({ locationId: 'ST-A', sku: 'SKU-P', reorderPoint: 5, effectiveReorderPoint: 5, atp: 10, low: false });
  await adjust('ST-A', 'SKU-P', 'DELTA', -4);
  await adjust('ST-A', 'SKU-P', 'DELTA', -1);
  const twice = randomUUID();
  await adjust('ST-A', 'SKU-P', 'DELTA', -2, twice);
  await adjust('ST-A', 'SKU-P', 'DELTA', -2, twice);
  await adjust('ST-A', 'SKU-P', 'SET', 20);
  await nextAlert('ST-A:SKU-P', StockAlertTypes.recovered);
  expect(alertsOf('ST-A:SKU-P')).toEqual([
    ['StockLow', 5, 5],
    ['StockRecovered', 20, 5],
  ]);
});

it('announces a reorder point set above the current ATP at once, lists the SKU as low, and recovers it when the point goes back to the default', async () => {
  expect((await put(url, '/locations/ST-B/stock/SKU-Q', { onHand: 4 })).status).toBe(200);
  expect(await (await setPoint('ST-B', 'SKU-Q', 6)).json()).toMatchObject({ reorderPoint: 6, atp: 4, low: true });
  await nextAlert('ST-B:SKU-Q', StockAlertTypes.low);
  const listed = await (await fetch(`${url}/stock-alerts?locationId=ST-B`, AS_ADMIN)).json();
  expect(listed).toEqual([{ locationId: 'ST-B', sku: 'SKU-Q', reorderPoint: 6, effectiveReorderPoint: 6, atp: 4, low: true }]);
  expect(await (await setPoint('ST-B', 'SKU-Q', null)).json()).toMatchObject({ reorderPoint: null, effectiveReorderPoint: 0, low: false });
  await nextAlert('ST-B:SKU-Q', StockAlertTypes.recovered);
  expect(await (await fetch(`${url}/stock-alerts?locationId=ST-B`, AS_ADMIN)).json()).toEqual([]);
});

it.each([
  ['a missing reorder point', {}, 400],
  ['a negative one', { reorderPoint: -1 }, 400],
  ['a fraction', { reorderPoint: 1.5 }, 400],
  ['text', { reorderPoint: 'five' }, 400],
])('refuses %s with 400', async (_what, body, status) => {
  const response = await put(url, '/locations/ST-A/stock/SKU-P/reorder-point', body);
  expect(response.status).toBe(status);
  expect(((await response.json()) as { message: string[] }).message.join(' ')).toMatch(/reorderPoint/);
});

it("refuses a store's staff another location's reorder points, and an unknown location", async () => {
  const staffOfB = testToken('staff', ['ST-B']);
  expect((await setPoint('ST-A', 'SKU-P', 1, staffOfB)).status).toBe(403);
  expect((await setPoint('ST-B', 'SKU-P', 1, staffOfB)).status).toBe(200);
  expect((await setPoint('NOWHERE', 'SKU-P', 1)).status).toBe(404);
});
