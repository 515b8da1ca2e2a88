import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Topics, type CreateFulfillment, type ReserveStockDto } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, testToken, useTestEnvironment, waitFor } from '@fil/testing';
import { anOrder, answerAvailability, answerReservation, call, command, commandsOf, fulfillmentEvent, location, networkKnown, orderEvent, sendEdit, stockLevel, submit } from './support';

useTestEnvironment('orders-edits');
jest.setTimeout(60_000);

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;

beforeAll(async () => {
  await probe.start([Topics.ordersEvents, Topics.inventoryCommands, Topics.fulfillmentCommands, Topics.dlq]);
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

/** One unit of SKU-A allocated and its fulfillment created, then edited to two: the reservation of the added unit. */
async function editedWhileWorked(orderId: string): Promise<{ first: ReserveStockDto; added: ReserveStockDto }> {
  await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1 }] }));
  const first = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value as ReserveStockDto;
  await answerReservation(probe, first, 'reserved');
  const work = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value as CreateFulfillment;
  await fulfillmentEvent(probe, work, 'CREATED');
  await waitFor(async () => (await call(url, 'GET', `/orders/${orderId}`)).body.allocations[0]?.fulfillmentStatus === 'CREATED', { what: 'the fulfillment created' });
  expect((await call(url, 'POST', `/orders/${orderId}/edit`, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 2, unitPrice: 1 }] })).status).toBe(200);
  const added = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (value) => value.reservationId !== first.reservationId)).value as ReserveStockDto;
  return { first, added };
}

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

it('books a part held while the order waits for a person, and starts its fulfillment once the order is resumed', async () => {
  const orderId = 'O-edit-attention';
  const { first, added } = await editedWhileWorked(orderId);

  // While the added unit is being reserved, the order is handed to a person, as the sweep does when
  // another step goes unanswered (saga-timeouts.test.ts); set here so that the answer comes after.
  const em = app.get<MikroORM>(MikroORM).em.fork();
  await em.execute(`update customer_order set attention_from = status, status = 'NEEDS_ATTENTION' where order_id = ?`, [orderId]);
  await answerReservation(probe, added, 'reserved');
  await waitFor(async () => (await call(url, 'GET', `/orders/${orderId}`)).body.allocations.find((part: any) => part.reservationId === added.reservationId)?.state !== 'RESERVING', { what: 'the answer handled' });
  const waiting = (await call(url, 'GET', `/orders/${orderId}`)).body;
  expect(waiting.allocations.find((part: any) => part.reservationId === added.reservationId)).toMatchObject({ state: 'HELD' });
  expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation')).toEqual([]);

  const resolved = await call(url, 'POST', `/orders/${orderId}/attention/resolve`, { reason: 'checked with the warehouse' }, testToken('ops'));
  expect(resolved).toMatchObject({ status: 200, body: { status: 'ALLOCATED' } });
  const second = await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (value) => value.reservationId === added.reservationId);
  expect(second.value).toMatchObject({ locationId: 'WH-NEAR', lines: [{ sku: 'SKU-A', quantity: 1 }] });
});


it('routes again a part refused while the order waits for a person, once the order is resumed', async () => {
  const orderId = 'O-edit-attention-refused';
  await stockLevel(probe, 'WH-FAR', 'SKU-A', 5);
  await networkKnown(app, 2, 3);
  const { first, added } = await editedWhileWorked(orderId);
  expect(added.locationId).toBe('WH-NEAR');

  const em = app.get<MikroORM>(MikroORM).em.fork();
  await em.execute(`update customer_order set attention_from = status, status = 'NEEDS_ATTENTION' where order_id = ?`, [orderId]);
  await answerReservation(probe, added, 'refused', { reason: 'INSUFFICIENT_STOCK' });
  await waitFor(async () => (await call(url, 'GET', `/orders/${orderId}`)).body.allocationHistory.find((part: any) => part.reservationId === added.reservationId)?.state === 'REFUSED', { what: 'the refusal booked' });
  expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).toHaveLength(2);

  const resolved = await call(url, 'POST', `/orders/${orderId}/attention/resolve`, { reason: 'checked with the warehouse' }, testToken('ops'));
  expect(resolved).toMatchObject({ status: 200, body: { status: 'ALLOCATED' } });
  const again = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (value) => ![first.reservationId, added.reservationId].includes(value.reservationId))).value as ReserveStockDto;
  expect(again).toMatchObject({ locationId: 'WH-FAR', lines: [{ sku: 'SKU-A', quantity: 1 }] });
  await answerReservation(probe, again, 'reserved');
  const moved = await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (value) => value.reservationId === again.reservationId);
  expect(moved.value).toMatchObject({ locationId: 'WH-FAR', lines: [{ sku: 'SKU-A', quantity: 1 }] });
});

it('applies an EditOrder that came while its order was still being routed once it is allocated, instead of dead-lettering it', async () => {
  const orderId = 'O-edit-while-routed';
  await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1 }] }));
  const reserve = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value as ReserveStockDto;
  await sendEdit(probe, { editId: 'E-early', orderId, lines: [{ lineId: '1', sku: 'SKU-A', quantity: 2, unitPrice: 1 }] });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await answerReservation(probe, reserve, 'reserved');
  const edited = await orderEvent(probe, orderId, 'OrderEdited');
  expect(edited.value.edit).toMatchObject({ editId: 'E-early', added: [{ sku: 'SKU-A', quantity: 1 }] });
});

it('dead-letters at once an EditOrder its order can never take, even while the order is being routed, instead of holding the partition', async () => {
  const orderId = 'O-edit-never';
  await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1 }] }));
  await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock');
  await sendEdit(probe, { editId: 'E-store', orderId, pickupLocationId: 'WH-NEAR' });
  const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === orderId);
  expect(dead.value.reason).toBe(`order ${orderId} is delivered to an address: it has no pickup store to change`);
});

it('backorders what an edit adds that no location holds, as for a new order, instead of refusing the edit NO_STOCK', async () => {
  const orderId = 'O-edit-backorder';
  const stopAnswering = answerAvailability(probe, new Map());
  try {
    await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1 }] }));
    await answerReservation(probe, (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value, 'reserved');
    await orderEvent(probe, orderId, 'OrderAllocated');
    const lines = [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1 }, { lineId: '2', sku: 'SKU-NONE', quantity: 1, unitPrice: 5 }];
    const edited = await call(url, 'POST', `/orders/${orderId}/edit`, { lines });
    expect(edited.status).toBe(200);
    const partial = await orderEvent(probe, orderId, 'OrderPartiallyAllocated');
    expect(partial.value.backordered).toEqual([{ sku: 'SKU-NONE', quantity: 1 }]);
  } finally {
    stopAnswering();
  }
});

it('makes new prices or line ids of the same units the order\'s lines, announced, without moving any part', async () => {
  const orderId = 'O-edit-prices';
  await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1 }] }));
  await answerReservation(probe, (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value, 'reserved');
  await orderEvent(probe, orderId, 'OrderAllocated');
  const lines = [{ lineId: '9', sku: 'SKU-A', quantity: 1, unitPrice: 99 }];
  expect((await call(url, 'POST', `/orders/${orderId}/edit`, { lines })).status).toBe(200);
  const edited = await orderEvent(probe, orderId, 'OrderEdited');
  expect(edited.value).toMatchObject({ status: 'ALLOCATED', lines, edit: { added: [], removed: [] } });
  expect((await call(url, 'GET', `/orders/${orderId}`)).body.lines).toEqual(lines);
  expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).toHaveLength(1);
});

it('refuses an editId used again for another edit (409, or the DLQ), and answers the same edit again as done', async () => {
  const orderId = 'O-edit-key-reused';
  await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1 }] }));
  await answerReservation(probe, (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value, 'reserved');
  await orderEvent(probe, orderId, 'OrderAllocated');
  const twoUnits = { editId: 'E-key', lines: [{ lineId: '1', sku: 'SKU-A', quantity: 2, unitPrice: 1 }] };
  expect((await call(url, 'POST', `/orders/${orderId}/edit`, twoUnits)).status).toBe(200);
  expect((await call(url, 'POST', `/orders/${orderId}/edit`, twoUnits)).status).toBe(200);
  const other = await call(url, 'POST', `/orders/${orderId}/edit`, { ...twoUnits, lines: [{ lineId: '1', sku: 'SKU-A', quantity: 3, unitPrice: 1 }] });
  expect(other).toMatchObject({ status: 409, body: { message: `editId E-key was already used for another edit of order ${orderId}` } });
  await sendEdit(probe, { orderId, editId: 'E-key', lines: [{ lineId: '1', sku: 'SKU-A', quantity: 4, unitPrice: 1 }] });
  const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === orderId);
  expect(dead.value.reason).toBe(`editId E-key was already used for another edit of order ${orderId}`);
  expect((await call(url, 'GET', `/orders/${orderId}`)).body.lines).toEqual(twoUnits.lines);
});
