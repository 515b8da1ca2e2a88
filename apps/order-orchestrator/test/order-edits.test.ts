import type { INestApplication } from '@nestjs/common';
import { Topics, type CreateFulfillment, type ReserveStockDto } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, useTestEnvironment, waitFor } from '@fil/testing';
import { anOrder, answerReservation, call, command, commandsOf, fulfillmentEvent, location, networkKnown, orderEvent, stockLevel, submit } from './support';

useTestEnvironment('orders-edits');
jest.setTimeout(60_000);

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;

beforeAll(async () => {
  await probe.start([Topics.ordersEvents, Topics.inventoryCommands, Topics.fulfillmentCommands]);
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  // SKU-A only near, SKU-B only far: a two-line order is two parcels.
  await location(probe, 'WH-NEAR', 45.76, 4.84);
  await location(probe, 'WH-FAR', 48.85, 2.35);
  await stockLevel(probe, 'WH-NEAR', 'SKU-A', 10);
  await stockLevel(probe, 'WH-FAR', 'SKU-B', 10);
  await networkKnown(app, 2, 2);
});

afterAll(async () => {
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('orders'));
});

it('routes what an edit still wants once the last of the parts it called off is confirmed, whichever confirms first', async () => {
  const orderId = 'O-edit-two-parts';
  await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 2, unitPrice: 1 }, { lineId: '2', sku: 'SKU-B', quantity: 2, unitPrice: 1 }] }));
  await waitFor(() => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock').length === 2, { what: 'two reservations' });
  for (const reserve of commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')) await answerReservation(probe, reserve.value as ReserveStockDto, 'reserved');
  await waitFor(() => commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment').length === 2, { what: 'two fulfillments' });
  const works = commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment').map((m) => m.value as CreateFulfillment);
  for (const work of works) await fulfillmentEvent(probe, work, 'CREATED');
  await waitFor(async () => (await call(url, 'GET', `/orders/${orderId}`)).body.allocations.every((part: any) => part.fulfillmentStatus === 'CREATED'), { what: 'both created' });

  const lines = [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1 }, { lineId: '2', sku: 'SKU-B', quantity: 1, unitPrice: 1 }];
  expect((await call(url, 'POST', `/orders/${orderId}/edit`, { lines })).status).toBe(200);
  await waitFor(() => commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment').length === 2, { what: 'both parts called off' });
  // The second part's call-off is confirmed first, then the first's.
  for (const work of [...works].reverse()) {
    await fulfillmentEvent(probe, work, 'CANCELLED');
    await command(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation', (value) => value.reservationId === work.reservationId);
  }
  await waitFor(() => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock').length === 4, { what: 'the remaining lines routed' });
  const routed = commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock').slice(2).map((m) => m.value as ReserveStockDto);
  expect(routed.flatMap((reserve) => reserve.lines).sort((a, b) => a.sku.localeCompare(b.sku))).toEqual([
    { sku: 'SKU-A', quantity: 1 },
    { sku: 'SKU-B', quantity: 1 },
  ]);
  await orderEvent(probe, orderId, 'OrderEdited');
});
