import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { InventoryEventTypes, Topics, type CreateFulfillment, type ReserveStockDto } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { ceHeaders, KafkaProbe, startService, testToken, useTestEnvironment, waitFor } from '@fil/testing';
import { anOrder, answerReservation, call, command, commandsOf, fulfillmentEvent, location, networkKnown, orchestratorSettled, orderEvent, orderEvents, reservationEvent, stockLevel, submit } from './support';

useTestEnvironment('orders-attention');
// Short deadlines, as in saga-timeouts.test.ts: the test plays inventory and fulfillment, and leaves steps unanswered.
process.env.FIL_SAGA_STEP_TIMEOUT_MS = '1000';
process.env.FIL_SAGA_POLL_MS = '100';
process.env.FIL_SAGA_MAX_ATTEMPTS = '2';
jest.setTimeout(60_000);

const probe = new KafkaProbe();
const ops = testToken('ops');
let app: INestApplication;
let url: string;

const order = (orderId: string) => anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 3 }] });
const releasesOf = (orderId: string) => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation');
const statusesOf = (orderId: string) => orderEvents(probe, orderId).map((m) => m.value.status);
const view = async (orderId: string) => (await call(url, 'GET', `/orders/${orderId}`)).body;
const act = (orderId: string, action: 'retry' | 'release', body?: unknown) => call(url, 'POST', `/orders/${orderId}/attention/${action}`, body ?? {}, ops);

beforeAll(async () => {
  await probe.start([Topics.ordersEvents, Topics.inventoryCommands, Topics.fulfillmentCommands]);
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await location(probe, 'WH-NEAR', 45.76, 4.84);
  await stockLevel(probe, 'WH-NEAR', 'SKU-A', 10);
  await networkKnown(app, 1, 1);
});

afterAll(async () => {
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('orders'));
});

/** Allocated at WH-NEAR, its fulfillment asked for: the reservation and the fulfillment command. */
async function allocated(orderId: string) {
  await submit(probe, order(orderId));
  const reserve: ReserveStockDto = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value;
  await answerReservation(probe, reserve, 'reserved');
  const work = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
  return { reserve, work };
}

/** Two units allocated, their fulfillment created, then edited to one: the part is being called off. */
async function editedToOneOfTwo(orderId: string): Promise<CreateFulfillment> {
  await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 2, unitPrice: 3 }] }));
  await answerReservation(probe, (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value, 'reserved');
  const work = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
  await fulfillmentEvent(probe, work, 'CREATED');
  await waitFor(async () => (await view(orderId)).allocations[0].fulfillmentStatus === 'CREATED', { what: 'the creation recorded' });
  expect((await call(url, 'POST', `/orders/${orderId}/edit`, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 3 }] }, ops)).status).toBe(200);
  return work;
}

/** Cancelled, the call-off confirmed, and inventory silent on the release: NEEDS_ATTENTION after two sends. */
async function releaseNeverConfirmed(orderId: string) {
  const { reserve, work } = await allocated(orderId);
  expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer called' })).status).toBe(200);
  await fulfillmentEvent(probe, work, 'CANCELLED');
  await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
  expect(releasesOf(orderId)).toHaveLength(2);
  return reserve;
}

/** The order waits for no answer any more, and everything sent has been handled and read. */
async function nothingPending(orderId: string): Promise<void> {
  const em = app.get<MikroORM>(MikroORM).em.fork();
  await waitFor(async () => (await em.execute(`select 1 from customer_order where order_id = ? and next_deadline is null`, [orderId])).length, { what: `${orderId} to wait for no answer` });
  await orchestratorSettled(app, probe);
}

describe('retrying what an order in NEEDS_ATTENTION gave up on', () => {
  it('sends a release never confirmed again, back to CANCELLED, once; the answer books it and the order stays CANCELLED', async () => {
    const orderId = 'O-retry-release';
    const reserve = await releaseNeverConfirmed(orderId);
    // Its stock is being released, not held for nothing: release does not apply.
    const refused = await act(orderId, 'release', { reason: 'checked' });
    expect(refused).toMatchObject({ status: 409, body: { message: `order ${orderId} holds no stock it no longer wants` } });

    const retried = await act(orderId, 'retry');
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'CANCELLED', allocationHistory: [expect.objectContaining({ state: 'RELEASING', attempts: 1, round: 1 })] });
    const resumed = await orderEvent(probe, orderId, 'OrderResumed');
    expect(resumed.value).toMatchObject({ status: 'CANCELLED', previousStatus: 'NEEDS_ATTENTION', resumed: { action: 'RETRY', by: expect.any(String) } });
    expect(resumed.value.reason).toMatch(new RegExp(`^retried by .+: sent again the release of ${orderId}:R1 at WH-NEAR$`));
    const again = await waitFor(() => releasesOf(orderId)[2], { what: 'the release sent again' });
    // A message of its own: inventory's dedupe must not take it for the first send.
    expect(again.headers.ce_id).toBe(`${orderId}:R1:ReleaseReservation:R1`);
    expect(again.value).toEqual({ reservationId: `${orderId}:R1`, orderId });

    // A second retry finds the order out of NEEDS_ATTENTION: nothing sent twice.
    const twice = await act(orderId, 'retry');
    expect(twice).toMatchObject({ status: 409, body: { message: `order ${orderId} is CANCELLED, not NEEDS_ATTENTION: nothing to retry` } });

    await reservationEvent(probe, reserve, 'released');
    await waitFor(async () => (await view(orderId)).allocationHistory[0].state === 'RELEASED', { what: 'the release booked' });
    await nothingPending(orderId);
    expect(releasesOf(orderId)).toHaveLength(3);
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'CANCELLED', 'NEEDS_ATTENTION', 'CANCELLED']);
    expect((await view(orderId)).timeline.at(-1)).toMatchObject({ from: 'NEEDS_ATTENTION', to: 'CANCELLED', cause: resumed.value.reason });
  });

  it('watches what it sent again: still unanswered after every attempt, the order needs attention again', async () => {
    const orderId = 'O-retry-silent';
    await releaseNeverConfirmed(orderId);
    expect((await act(orderId, 'retry')).status).toBe(200);
    await waitFor(() => statusesOf(orderId).length === 6, { what: 'NEEDS_ATTENTION again', timeoutMs: 15_000 });
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'CANCELLED', 'NEEDS_ATTENTION', 'CANCELLED', 'NEEDS_ATTENTION']);
    expect(releasesOf(orderId).map((m) => m.headers.ce_id)).toEqual(
      ['', ':2', ':R1', ':R1:2'].map((suffix) => `${orderId}:R1:ReleaseReservation${suffix}`),
    );
  });

  it('asks inventory again for figures it never gave, back to RECEIVED, and routes the order on its answer', async () => {
    const orderId = 'O-retry-check';
    await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-UNSEEN', quantity: 1, unitPrice: 3 }] }));
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    expect((await act(orderId, 'retry')).body).toMatchObject({ status: 'RECEIVED' });
    const check = await command(probe, Topics.inventoryCommands, orderId, 'CheckAvailability', () => true);
    const asked = await waitFor(() => commandsOf(probe, Topics.inventoryCommands, orderId, 'CheckAvailability')[2], { what: 'the check sent again' });
    expect(asked.headers.ce_id).toBe(`${orderId}:A1:CheckAvailability:R1`);
    expect(asked.value).toEqual(check.value);
    await probe.send(Topics.inventoryEvents, orderId, { requestId: `${orderId}:A1`, orderId, levels: [{ locationId: 'WH-NEAR', sku: 'SKU-UNSEEN', atp: 4 }] }, ceHeaders('inventory', InventoryEventTypes.availability));
    const reserve = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value;
    expect(reserve).toMatchObject({ locationId: 'WH-NEAR', lines: [{ sku: 'SKU-UNSEEN', quantity: 1 }] });
    await answerReservation(probe, reserve, 'reserved');
    await orderEvent(probe, orderId, 'OrderAllocated');
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'NEEDS_ATTENTION', 'RECEIVED', 'ALLOCATED']);
  });
});

describe('a late answer to a step the saga gave up waiting for', () => {
  const byItself = (orderId: string, status: string, reason: string) => ({ status, previousStatus: 'NEEDS_ATTENTION', resumed: { action: 'RETRY', by: 'order-orchestrator', reason } });

  it('takes the order back without a person: the check asked again, and the order routed on the figures of then (nothing held anywhere: backordered, not rejected)', async () => {
    const orderId = 'O-late-check';
    await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-LATE', quantity: 1, unitPrice: 3 }] }));
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    // Inventory was paused past every attempt; it answers once it runs again.
    const nothing = { requestId: `${orderId}:A1`, orderId, levels: [] };
    await probe.send(Topics.inventoryEvents, orderId, nothing, ceHeaders('inventory', InventoryEventTypes.availability));
    const resumed = await orderEvent(probe, orderId, 'OrderResumed');
    expect(resumed.value).toMatchObject(byItself(orderId, 'RECEIVED', `inventory answered ${orderId}:A1`));
    const asked = await waitFor(() => commandsOf(probe, Topics.inventoryCommands, orderId, 'CheckAvailability')[2], { what: 'the check sent again' });
    expect(asked.headers.ce_id).toBe(`${orderId}:A1:CheckAvailability:R1`);
    await probe.send(Topics.inventoryEvents, orderId, nothing, ceHeaders('inventory', InventoryEventTypes.availability));
    const backordered = await orderEvent(probe, orderId, 'OrderPartiallyAllocated');
    expect(backordered.value.backordered).toEqual([{ sku: 'SKU-LATE', quantity: 1 }]);
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'NEEDS_ATTENTION', 'RECEIVED', 'PARTIALLY_ALLOCATED']);
  });

  it('takes a cancelled order back to CANCELLED once inventory confirms the release late, sending nothing again', async () => {
    const orderId = 'O-late-release';
    const reserve = await releaseNeverConfirmed(orderId);
    await reservationEvent(probe, reserve, 'released');
    const resumed = await orderEvent(probe, orderId, 'OrderResumed');
    expect(resumed.value).toMatchObject(byItself(orderId, 'CANCELLED', `inventory answered ReservationReleased for ${orderId}:R1`));
    await nothingPending(orderId);
    expect(releasesOf(orderId)).toHaveLength(2);
    expect((await view(orderId)).allocationHistory[0].state).toBe('RELEASED');
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'CANCELLED', 'NEEDS_ATTENTION', 'CANCELLED']);
  });

  it('takes the order back once fulfillment confirms the work late, and what fulfillment does then drives it on to DELIVERED', async () => {
    const orderId = 'O-late-creation';
    const { work } = await allocated(orderId);
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    for (const status of ['CREATED', 'PICKED', 'PACKED', 'SHIPPED', 'DELIVERED'] as const) await fulfillmentEvent(probe, work, status);
    const resumed = await orderEvent(probe, orderId, 'OrderResumed');
    expect(resumed.value).toMatchObject(byItself(orderId, 'ALLOCATED', `fulfillment answered FulfillmentCreated for ${work.fulfillmentId}`));
    await orderEvent(probe, orderId, 'OrderDelivered');
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'NEEDS_ATTENTION', 'ALLOCATED', 'IN_FULFILLMENT', 'SHIPPED', 'DELIVERED']);
  });

  it('leaves a cancelled order for a person when the late answer to its call-off is that the goods shipped', async () => {
    const orderId = 'O-late-shipped';
    const { work } = await allocated(orderId);
    await fulfillmentEvent(probe, work, 'CREATED');
    await waitFor(async () => (await view(orderId)).allocations[0].fulfillmentStatus === 'CREATED', { what: 'the creation recorded' });
    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer called' })).status).toBe(200);
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    await fulfillmentEvent(probe, work, 'SHIPPED');
    await command(probe, Topics.inventoryCommands, orderId, 'CommitReservation');
    await nothingPending(orderId);
    expect((await view(orderId)).status).toBe('NEEDS_ATTENTION');
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'CANCELLED', 'NEEDS_ATTENTION']);
  });
});

describe('releasing the stock of an order in NEEDS_ATTENTION', () => {
  it('releases a part whose call-off fulfillment never confirmed, once a person says the goods did not leave', async () => {
    const orderId = 'O-release-called-off';
    const { reserve, work } = await allocated(orderId);
    await fulfillmentEvent(probe, work, 'CREATED');
    await waitFor(async () => (await view(orderId)).allocations[0].fulfillmentStatus === 'CREATED', { what: 'the creation recorded' });
    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer called' })).status).toBe(200);
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    expect(releasesOf(orderId)).toEqual([]);

    expect(await act(orderId, 'release', {})).toMatchObject({ status: 400 });
    const released = await act(orderId, 'release', { reason: 'WH-NEAR: still on the shelf' });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'CANCELLED', allocationHistory: [expect.objectContaining({ state: 'RELEASING' })] });
    const resumed = await orderEvent(probe, orderId, 'OrderResumed');
    expect(resumed.value).toMatchObject({ status: 'CANCELLED', resumed: { action: 'RELEASE', reason: 'WH-NEAR: still on the shelf' } });
    expect(resumed.value.reason).toMatch(new RegExp(`^stock released by .+ \\(WH-NEAR: still on the shelf\\): ${orderId}:R1 at WH-NEAR$`));
    const release = await command(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation');
    expect(release.value).toEqual({ reservationId: `${orderId}:R1`, orderId });

    await reservationEvent(probe, reserve, 'released');
    await waitFor(async () => (await view(orderId)).allocationHistory[0].state === 'RELEASED', { what: 'the release booked' });
    await nothingPending(orderId);
    expect(commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment')).toHaveLength(2);
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'CANCELLED', 'NEEDS_ATTENTION', 'CANCELLED']);
  });

  it("goes on with an edit whose call-off fulfillment never confirmed, once a person releases the part: what the edit still wants is routed", async () => {
    const orderId = 'O-release-edit';
    await editedToOneOfTwo(orderId);
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);

    const released = await act(orderId, 'release', { reason: 'WH-NEAR: nothing was picked' });
    expect(released).toMatchObject({ status: 200, body: { status: 'ALLOCATED' } });
    const resumed = await orderEvent(probe, orderId, 'OrderResumed');
    expect(resumed.value.reason).toMatch(/; the edit goes on: 1 × SKU-A routed$/);
    const again = await waitFor(() => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')[1], { what: "the edit's line routed" });
    expect(again.value).toMatchObject({ locationId: 'WH-NEAR', lines: [{ sku: 'SKU-A', quantity: 1 }] });
    expect(releasesOf(orderId)).toHaveLength(1);
  });

  it('never releases what left with its goods (409 with why), has nothing to retry, and lets the cancelled order be closed', async () => {
    const orderId = 'O-release-gone';
    const { work } = await allocated(orderId);
    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer called' })).status).toBe(200);
    await fulfillmentEvent(probe, work, 'SHIPPED');
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    await command(probe, Topics.inventoryCommands, orderId, 'CommitReservation');
    await waitFor(async () => (await view(orderId)).allocations[0].fulfillmentStatus === 'SHIPPED', { what: 'the shipment booked' });

    const refused = await act(orderId, 'release', { reason: 'sure?' });
    expect(refused).toMatchObject({ status: 409, body: { message: `order ${orderId} holds no stock it no longer wants: ${orderId}:R1 at WH-NEAR left with its goods (SHIPPED): never released` } });
    const nothing = await act(orderId, 'retry');
    expect(nothing).toMatchObject({ status: 409, body: { message: `order ${orderId} gave up waiting for no answer: nothing to retry (release its stock or cancel it)` } });
    // It was cancelled before the goods left: a person closes it once the parcel is dealt with.
    const closed = await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'parcel recovered from the carrier' });
    expect(closed).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
    await orchestratorSettled(app, probe);
    expect(releasesOf(orderId)).toEqual([]);
  });

  it('answers 404 for an unknown order and 409 for an order not in NEEDS_ATTENTION', async () => {
    expect((await act('O-nowhere', 'retry')).status).toBe(404);
    expect((await act('O-nowhere', 'release', { reason: 'checked' })).status).toBe(404);
    const orderId = 'O-fine';
    await fulfillmentEvent(probe, (await allocated(orderId)).work, 'CREATED');
    await orderEvent(probe, orderId, 'OrderAllocated');
    expect(await act(orderId, 'release', { reason: 'checked' })).toMatchObject({ status: 409, body: { message: `order ${orderId} is ALLOCATED, not NEEDS_ATTENTION: nothing to release` } });
  });
});

describe('cancelling an order in NEEDS_ATTENTION', () => {
  it('sends again the release it gave up on, so no stock stays held with nobody waiting for it', async () => {
    const orderId = 'O-cancel-stuck';
    await releaseNeverConfirmed(orderId);
    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'closing it' })).body).toMatchObject({ status: 'CANCELLED' });
    const again = await waitFor(() => releasesOf(orderId)[2], { what: 'the release sent again' });
    expect(again.headers.ce_id).toBe(`${orderId}:R1:ReleaseReservation:R1`);
  });
});

describe('resolving what an order in NEEDS_ATTENTION asked a person to do', () => {
  const resolve = (orderId: string, reason?: string) => call(url, 'POST', `/orders/${orderId}/attention/resolve`, reason === undefined ? {} : { reason }, ops);

  it('goes on with an edit whose called-off part shipped meanwhile, once a person has dealt with the parcel', async () => {
    const orderId = 'O-resolve-edit';
    const work = await editedToOneOfTwo(orderId);
    await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment');
    // The parcel left before the call-off reached the warehouse: committed, and a person must deal with it.
    await fulfillmentEvent(probe, work, 'SHIPPED');
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    expect((await act(orderId, 'retry')).status).toBe(409);
    expect((await act(orderId, 'release', { reason: 'checked' })).status).toBe(409);
    expect((await resolve(orderId)).status).toBe(400);

    const resolved = await resolve(orderId, 'parcel recovered from the carrier');
    expect(resolved).toMatchObject({ status: 200, body: { status: 'ALLOCATED' } });
    const resumed = await orderEvent(probe, orderId, 'OrderResumed');
    expect(resumed.value).toMatchObject({ status: 'ALLOCATED', resumed: { action: 'RESOLVE', reason: 'parcel recovered from the carrier' } });
    expect(resumed.value.reason).toMatch(/; the edit goes on: 1 × SKU-A routed$/);
    const again = await waitFor(() => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')[1], { what: "the edit's line routed" });
    expect(again.value).toMatchObject({ locationId: 'WH-NEAR', lines: [{ sku: 'SKU-A', quantity: 1 }] });
    expect((await resolve(orderId, 'again')).status).toBe(409);
  });

  it('moves the order on by what fulfillment reported while it waited: delivered meanwhile, DELIVERED once resolved', async () => {
    const orderId = 'O-resolve-delivered';
    const { work } = await allocated(orderId);
    // A person is already looking at the order (as after goods left for a part it had called off) when fulfillment does the work.
    await app.get<MikroORM>(MikroORM).em.fork().execute(`update customer_order set attention_from = status, status = 'NEEDS_ATTENTION' where order_id = ?`, [orderId]);
    for (const status of ['CREATED', 'PICKED', 'PACKED', 'SHIPPED', 'DELIVERED'] as const) await fulfillmentEvent(probe, work, status);
    const delivered = async () => (await call(url, 'GET', `/orders/${orderId}`, undefined, ops)).body.allocations.some((part: any) => part.fulfillmentStatus === 'DELIVERED');
    await waitFor(delivered, { what: 'the delivery booked while the order waited' });

    expect(await resolve(orderId, 'the warehouse did the work')).toMatchObject({ status: 200 });
    const deliveredEvent = await orderEvent(probe, orderId, 'OrderDelivered');
    expect(deliveredEvent.value.reason).toBe('fulfillment reported it while the order waited for a person');
    expect(statusesOf(orderId).slice(-4)).toEqual(['ALLOCATED', 'IN_FULFILLMENT', 'SHIPPED', 'DELIVERED']);
  });

  it('refuses while something was given up: retry first', async () => {
    const orderId = 'O-resolve-given-up';
    await releaseNeverConfirmed(orderId);
    expect(await resolve(orderId, 'checked')).toMatchObject({ status: 409, body: { message: `order ${orderId} gave up waiting for an answer: retry it first` } });
  });
});

describe('what inventory answers while an order waits for a person', () => {
  beforeAll(async () => {
    await location(probe, 'WH-FAR', 48.85, 2.35);
    await stockLevel(probe, 'WH-NEAR', 'SKU-E', 5);
    await stockLevel(probe, 'WH-FAR', 'SKU-E', 5);
    await networkKnown(app, 2, 3);
  });

  it('acts on a hold that expired meanwhile once the order is resolved: its work called off and the part routed elsewhere', async () => {
    const orderId = 'O-attention-expired';
    await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-E', quantity: 1, unitPrice: 3 }] }));
    const reserve: ReserveStockDto = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value;
    expect(reserve.locationId).toBe('WH-NEAR');
    await answerReservation(probe, reserve, 'reserved');
    const work = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
    // Fulfillment never confirms the work: a person is asked to look; meanwhile inventory's hold runs out.
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    await reservationEvent(probe, reserve, 'expired');
    await waitFor(async () => (await view(orderId)).allocationHistory[0].state === 'EXPIRED', { what: 'the expiry booked' });
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).toHaveLength(1);

    const resolved = await call(url, 'POST', `/orders/${orderId}/attention/resolve`, { reason: 'the warehouse had lost the request' }, ops);
    expect(resolved).toMatchObject({ status: 200, body: { status: 'ALLOCATED' } });
    await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment', (value) => value.fulfillmentId === work.fulfillmentId);
    const again: ReserveStockDto = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (value) => value.reservationId !== reserve.reservationId)).value;
    expect(again).toMatchObject({ locationId: 'WH-FAR', lines: [{ sku: 'SKU-E', quantity: 1 }] });
    await answerReservation(probe, again, 'reserved');
    const moved = await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (value) => value.reservationId === again.reservationId);
    expect(moved.value).toMatchObject({ locationId: 'WH-FAR', lines: [{ sku: 'SKU-E', quantity: 1 }] });
  });

  it('leaves a reservation the sweep gave up on meanwhile for a retry, which holds it where it was routed, rather than rejecting the order for holding nothing', async () => {
    const orderId = 'O-attention-given-up';
    await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-E', quantity: 1, unitPrice: 3 }] }));
    const reserve: ReserveStockDto = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value;
    expect(reserve.locationId).toBe('WH-NEAR');
    // A person is already looking at the order (as after an availability check never answered) when inventory stays silent.
    const em = app.get<MikroORM>(MikroORM).em.fork();
    await em.execute(`update customer_order set attention_from = status, status = 'NEEDS_ATTENTION' where order_id = ?`, [orderId]);
    await nothingPending(orderId);
    expect(releasesOf(orderId)).toHaveLength(0);

    const resolved = await call(url, 'POST', `/orders/${orderId}/attention/resolve`, { reason: 'inventory is back' }, ops);
    expect(resolved).toMatchObject({ status: 409, body: { message: `order ${orderId} gave up waiting for an answer: retry it first` } });
    const retried = await act(orderId, 'retry');
    expect(retried).toMatchObject({ status: 200, body: { status: 'RECEIVED' } });
    // Sent twice by the sweep, then once more by the retry, in a round of its own.
    const again = (await waitFor(() => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')[2], { what: 'the reservation sent again' })) as { value: ReserveStockDto; headers: Record<string, string> };
    expect(again.headers.ce_id).toBe(`${reserve.reservationId}:ReserveStock:R1`);
    expect(again.value).toMatchObject({ reservationId: reserve.reservationId, locationId: 'WH-NEAR', lines: [{ sku: 'SKU-E', quantity: 1 }] });
    await answerReservation(probe, again.value, 'reserved');
    await orderEvent(probe, orderId, 'OrderAllocated');
    expect(statusesOf(orderId)).not.toContain('REJECTED');
  });
});

describe('a click & collect served by transfers only, while it waits for a person', () => {
  beforeAll(async () => {
    await location(probe, 'ST-COUNTER', 45.75, 4.85, { type: 'STORE', ship: false, pickup: true });
    const connection = app.get<MikroORM>(MikroORM).em.getConnection();
    await waitFor(async () => (await connection.execute(`select 1 from location_view where id = 'ST-COUNTER'`)).length, { what: 'the pickup store known' });
  });

  it('is COLLECTED once resolved when its counter, which no part rides on, was made ready and collected meanwhile', async () => {
    const orderId = 'O-attention-transfer-only';
    await submit(probe, anOrder(orderId, { deliveryMode: 'CLICK_AND_COLLECT', shippingAddress: undefined, pickupLocationId: 'ST-COUNTER', lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 3 }] }));
    const reserve: ReserveStockDto = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value;
    expect(reserve.locationId).toBe('WH-NEAR');
    await answerReservation(probe, reserve, 'reserved');
    const transfer: CreateFulfillment = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (value) => value.kind === 'TRANSFER')).value;
    const counter: CreateFulfillment = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (value) => value.kind === 'PICKUP')).value;
    await fulfillmentEvent(probe, counter, 'CREATED');
    for (const status of ['CREATED', 'PICKED', 'PACKED', 'IN_TRANSIT'] as const) await fulfillmentEvent(probe, transfer, status);
    await orderEvent(probe, orderId, 'OrderInFulfillment');
    // A person looks at the order (as after goods left for a part it had called off) while the store does its work.
    await app.get<MikroORM>(MikroORM).em.fork().execute(`update customer_order set attention_from = status, status = 'NEEDS_ATTENTION' where order_id = ?`, [orderId]);
    await fulfillmentEvent(probe, transfer, 'RECEIVED');
    await fulfillmentEvent(probe, counter, 'READY_FOR_PICKUP');
    await fulfillmentEvent(probe, counter, 'COLLECTED');
    await orchestratorSettled(app, probe);

    const resolved = await call(url, 'POST', `/orders/${orderId}/attention/resolve`, { reason: 'the store did the work' }, ops);
    expect(resolved.status).toBe(200);
    const collected = await orderEvent(probe, orderId, 'OrderCollected');
    expect(collected.value.reason).toBe('fulfillment reported it while the order waited for a person');
    expect(statusesOf(orderId).slice(-2)).toEqual(['READY_FOR_PICKUP', 'COLLECTED']);
  });

  it('is COLLECTED when its counter is collected though the order never saw it ready', async () => {
    const orderId = 'O-transfer-only-unready';
    await submit(probe, anOrder(orderId, { deliveryMode: 'CLICK_AND_COLLECT', shippingAddress: undefined, pickupLocationId: 'ST-COUNTER', lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 3 }] }));
    await answerReservation(probe, (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value, 'reserved');
    const transfer: CreateFulfillment = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (value) => value.kind === 'TRANSFER')).value;
    const counter: CreateFulfillment = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (value) => value.kind === 'PICKUP')).value;
    await fulfillmentEvent(probe, counter, 'CREATED');
    for (const status of ['CREATED', 'PICKED', 'PACKED', 'IN_TRANSIT', 'RECEIVED'] as const) await fulfillmentEvent(probe, transfer, status);
    await orderEvent(probe, orderId, 'OrderInFulfillment');
    // Only the collect reaches the orchestrator (its ready was lost to an operator's discard, say).
    await fulfillmentEvent(probe, counter, 'COLLECTED');
    await orderEvent(probe, orderId, 'OrderCollected');
    expect(statusesOf(orderId).slice(-2)).toEqual(['READY_FOR_PICKUP', 'COLLECTED']);
  });
});

describe('an e-reservation whose counter fulfillment confirmed late, after inventory had moved its hold', () => {
  beforeAll(async () => {
    await location(probe, 'ST-RESERVE', 45.74, 4.86, { type: 'STORE', ship: false, pickup: true, reserve: true });
    await stockLevel(probe, 'ST-RESERVE', 'SKU-R', 5);
    const connection = app.get<MikroORM>(MikroORM).em.getConnection();
    await waitFor(async () => (await connection.execute(`select 1 from stock_view where location_id = 'ST-RESERVE' and sku = 'SKU-R'`)).length, { what: 'the store and its stock known' });
  });

  /** Reserved at ST-RESERVE, its counter never confirmed: NEEDS_ATTENTION. */
  async function counterNeverConfirmed(orderId: string) {
    await submit(probe, anOrder(orderId, { deliveryMode: 'E_RESERVATION', shippingAddress: undefined, pickupLocationId: 'ST-RESERVE', lines: [{ lineId: '1', sku: 'SKU-R', quantity: 1, unitPrice: 3 }] }));
    const reserve: ReserveStockDto = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value;
    await answerReservation(probe, reserve, 'reserved');
    const counter: CreateFulfillment = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    return { reserve, counter };
  }

  it('is taken back and COLLECTED when the collect committed the hold before the counter\'s news reached the order', async () => {
    const orderId = 'O-late-counter-collected';
    const { reserve, counter } = await counterNeverConfirmed(orderId);
    // Fulfillment came back, the customer collected; inventory's answer to the collect's commit is read first.
    await reservationEvent(probe, reserve, 'committed');
    await orchestratorSettled(app, probe);
    for (const status of ['CREATED', 'READY_FOR_PICKUP', 'COLLECTED'] as const) await fulfillmentEvent(probe, counter, status);
    await orderEvent(probe, orderId, 'OrderCollected');
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'RESERVED', 'NEEDS_ATTENTION', 'RESERVED', 'READY_FOR_PICKUP', 'COLLECTED']);
  });

  it('is taken back and EXPIRED, its counter called off, when the hold expired before the counter\'s news reached the order', async () => {
    const orderId = 'O-late-counter-expired';
    const { reserve, counter } = await counterNeverConfirmed(orderId);
    await reservationEvent(probe, reserve, 'expired');
    await orchestratorSettled(app, probe);
    await fulfillmentEvent(probe, counter, 'CREATED');
    await orderEvent(probe, orderId, 'OrderExpired');
    const callOff = await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment');
    expect(callOff.value.fulfillmentId).toBe(counter.fulfillmentId);
  });

  it('goes back to CANCELLED by itself when the hold of a cancelled one expired before the late confirmation of its call-off: nothing is held and nothing left', async () => {
    const orderId = 'O-late-calloff-expired';
    await submit(probe, anOrder(orderId, { deliveryMode: 'E_RESERVATION', shippingAddress: undefined, pickupLocationId: 'ST-RESERVE', lines: [{ lineId: '1', sku: 'SKU-R', quantity: 1, unitPrice: 3 }] }));
    const reserve: ReserveStockDto = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value;
    await answerReservation(probe, reserve, 'reserved');
    const counter: CreateFulfillment = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
    await fulfillmentEvent(probe, counter, 'CREATED');
    await waitFor(async () => (await view(orderId)).allocations[0]?.fulfillmentStatus === 'CREATED', { what: 'the counter recorded' });
    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer called' })).status).toBe(200);
    await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    // Fulfillment is still down when the hold runs out; it comes back and confirms the call-off.
    await reservationEvent(probe, reserve, 'expired');
    await orchestratorSettled(app, probe);
    await fulfillmentEvent(probe, counter, 'CANCELLED');
    await waitFor(() => statusesOf(orderId).at(-1) === 'CANCELLED' && statusesOf(orderId).length === 5, { what: 'the order back to CANCELLED' });
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'RESERVED', 'CANCELLED', 'NEEDS_ATTENTION', 'CANCELLED']);
    // Its release, sent once the call-off is confirmed, is answered with the hold's expiry: that closes it.
    const release = await command(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation');
    expect(release.value.reservationId).toBe(reserve.reservationId);
    await reservationEvent(probe, reserve, 'expired');
    await nothingPending(orderId);
    expect(statusesOf(orderId).at(-1)).toBe('CANCELLED');
  });
});
