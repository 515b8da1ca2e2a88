import { InventoryCommandTypes, Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { AS_ADMIN, KafkaProbe, startService, testToken, useTestEnvironment } from '@fil/testing';
import type { INestApplication } from '@nestjs/common';
import { adjust as adjustStock, answerTo, put, reserve, sendCommand, store } from './support';

useTestEnvironment('inventory-replenishment');
jest.setTimeout(60_000);

let app: INestApplication;
let url: string;
const probe = new KafkaProbe();

const adjust = (sku: string, mode: 'SET' | 'DELTA', quantity: number) => adjustStock(probe, 'ST-PARIS', sku, mode, quantity);
const levelOf = (sku: string, onHand: number) => probe.waitForMessage(Topics.stockLevels, (m) => m.key === `ST-PARIS:${sku}` && m.value.onHand === onHand);
const plan = (query: string, token?: string) =>
  fetch(`${url}/replenishment?${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : AS_ADMIN);

beforeAll(async () => {
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await probe.start([Topics.inventoryEvents, Topics.stockLevels]);
  expect((await put(url, '/locations/ST-PARIS', { ...store, lat: 48.8606, lng: 2.3376 })).status).toBe(200);
  expect((await put(url, '/locations/WH-ORLY', { ...store, type: 'WAREHOUSE', lat: 48.7262, lng: 2.3652 })).status).toBe(200);
  expect((await put(url, '/locations/ST-PARIS/stock/SKU-J', { onHand: 20 })).status).toBe(200);
  expect((await put(url, '/locations/WH-ORLY/stock/SKU-J', { onHand: 100 })).status).toBe(200);

  // The known history at Paris: 6 units served to an order, 8 sold at the till; a release, a
  // receipt and a count are not sales.
  await reserve(probe, 'served', 'ST-PARIS', [{ sku: 'SKU-J', quantity: 6 }]);
  await answerTo(probe, 'served', 'StockReserved');
  await sendCommand(probe, InventoryCommandTypes.commit, { reservationId: 'served', orderId: 'order-served' } as never);
  await answerTo(probe, 'served', 'ReservationCommitted');
  await reserve(probe, 'let-go', 'ST-PARIS', [{ sku: 'SKU-J', quantity: 3 }]);
  await answerTo(probe, 'let-go', 'StockReserved');
  await sendCommand(probe, InventoryCommandTypes.release, { reservationId: 'let-go', orderId: 'order-let-go' } as never);
  await answerTo(probe, 'let-go', 'ReservationReleased');
  await adjust('SKU-J', 'DELTA', -8);
  await levelOf('SKU-J', 6);
  await adjust('SKU-J', 'DELTA', 5);
  await levelOf('SKU-J', 11);
  await adjust('SKU-J', 'SET', 9);
  await levelOf('SKU-J', 9);
});

afterAll(async () => {
  await probe.stop();
  await app?.close();
  await dropDatabase(databaseName('inventory'));
});

it("computes a location's velocity, cover and a transfer from the nearest location with spare stock from its recorded movements", async () => {
  const response = await plan('locationId=ST-PARIS&windowDays=2&leadTimeDays=1&coverDays=2');
  expect(response.status).toBe(200);
  const body: any = await response.json();
  expect(body).toMatchObject({ locationId: 'ST-PARIS', windowDays: 2, leadTimeDays: 1, coverDays: 2 });
  // 14 units out in 2 days: 7 a day; 3 days to cover: 21; ATP 9: 12 needed, Orly sells nothing and gives them.
  expect(body.skus).toEqual([
    { sku: 'SKU-J', onHand: 9, atp: 9, unitsOut: 14, velocityPerDay: 7, daysOfCover: 1.3, need: 12, transfers: [{ fromLocationId: 'WH-ORLY', quantity: 12, distanceKm: 15.1 }], suggestedOrder: 0 },
  ]);
});

it('uses the default window, lead time and cover when none is given', async () => {
  const body: any = await (await plan('locationId=ST-PARIS')).json();
  expect(body).toMatchObject({ windowDays: 28, leadTimeDays: 7, coverDays: 14 });
  // 14 units in 28 days: 0.5 a day, 18 days of cover; 21 days to cover: 11 units, 2 more than the ATP of 9.
  expect(body.skus[0]).toMatchObject({ velocityPerDay: 0.5, daysOfCover: 18, need: 2 });
});

it('refuses a bad query with 400, an unknown location with 404, and staff of another location with 403', async () => {
  expect((await plan('windowDays=7')).status).toBe(400);
  expect((await plan('locationId=ST-PARIS&windowDays=0')).status).toBe(400);
  expect((await plan('locationId=ST-PARIS&leadTimeDays=soon')).status).toBe(400);
  expect((await plan('locationId=NOWHERE')).status).toBe(404);
  expect((await plan('locationId=ST-PARIS', testToken('staff', ['WH-ORLY']))).status).toBe(403);
  expect((await plan('locationId=ST-PARIS', testToken('staff', ['ST-PARIS']))).status).toBe(200);
});
