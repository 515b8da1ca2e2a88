import { Logger, type INestApplication } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import type { IncomingMessage } from '@fil/messaging';
import { EarlyCancellations } from '../src/saga/early-cancellations';
import { Topics, type CreateFulfillment, type ReserveStockDto } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, useTestEnvironment, waitFor } from '@fil/testing';
import {
  anOrder,
  answerAvailability,
  answerReservation,
  call,
  command,
  commandsOf,
  fulfillmentEvent,
  location,
  networkKnown,
  orderEvent,
  orchestratorSettled,
  orderEvents,
  refund,
  sendCancel,
  shortage,
  stockLevel,
  submit,
} from './support';

useTestEnvironment('orders-races');
// Deadlines far away (saga-timeouts.test.ts covers them); backorder sweeps come quickly.
process.env.FIL_SAGA_STEP_TIMEOUT_MS = '600000';
process.env.FIL_SAGA_POLL_MS = '100';
jest.setTimeout(90_000);

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;
let stopAnswering: () => void;
/** What inventory holds (`locationId:sku` → ATP): the test answers the orchestrator's availability questions from it. */
const truth = new Map<string, number>([
  ['WH-LYON:SKU-A', 100],
  ['WH-MARSEILLE:SKU-A', 100],
]);

const one = (sku: string, quantity = 1) => ({ lineId: sku, sku, quantity, unitPrice: 1 });
const view = async (orderId: string) => (await call(url, 'GET', `/orders/${orderId}`)).body;
const statusesOf = (orderId: string) => orderEvents(probe, orderId).map((m) => m.value.status);

async function submitted(orderId: string, overrides: Record<string, unknown> = {}): Promise<ReserveStockDto> {
  await submit(probe, anOrder(orderId, overrides));
  return (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value;
}

async function allocated(orderId: string, overrides: Record<string, unknown> = {}): Promise<CreateFulfillment> {
  await answerReservation(probe, await submitted(orderId, overrides), 'reserved');
  return (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
}

/** A click & collect of one unit the pickup store lacks, allocated: a transfer to it, and its counter serving that transfer only. */
async function collectedThroughATransfer(orderId: string): Promise<{ transfer: CreateFulfillment; counter: CreateFulfillment }> {
  await answerReservation(probe, await submitted(orderId, { deliveryMode: 'CLICK_AND_COLLECT', shippingAddress: undefined, pickupLocationId: 'ST-LYON', lines: [one('SKU-A')] }), 'reserved');
  const created = await waitFor(() => {
    const commands = commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment').map((m) => m.value as CreateFulfillment);
    return commands.length === 2 ? commands : undefined;
  }, { what: 'the counter and the transfer created' });
  return { transfer: created.find((work) => work.kind === 'TRANSFER')!, counter: created.find((work) => work.kind === 'PICKUP')! };
}

/** A CancelOrder sent ahead of its order, and handled: a marker order's cancellation behind it on the same partition came through. */
async function cancelAheadOfItsOrder(orderId: string): Promise<void> {
  const marker = `${orderId}-marker`;
  await allocated(marker, { lines: [one('SKU-A')] });
  await sendCancel(probe, { orderId, reason: 'customer changed their mind' }, orderId);
  await sendCancel(probe, { orderId: marker, reason: 'marker' }, orderId);
  await orderEvent(probe, marker, 'OrderCancelled');
}

beforeAll(async () => {
  await probe.start([Topics.ordersEvents, Topics.inventoryCommands, Topics.fulfillmentCommands, Topics.dlq]);
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await location(probe, 'WH-LYON', 45.76, 4.84);
  await location(probe, 'WH-MARSEILLE', 43.3, 5.37);
  await location(probe, 'ST-LYON', 45.76, 4.83, { type: 'STORE', ship: false, pickup: true, reserve: true });
  await stockLevel(probe, 'WH-LYON', 'SKU-A', 100);
  await stockLevel(probe, 'WH-MARSEILLE', 'SKU-A', 100);
  await networkKnown(app, 3, 2);
  stopAnswering = answerAvailability(probe, truth);
});

afterAll(async () => {
  stopAnswering?.();
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('orders'));
});

describe('cancel racing ship', () => {
  it('commits the stock of a parcel that left while the order was being cancelled, and shows the order NEEDS_ATTENTION with what to do', async () => {
    const orderId = 'O-cancel-vs-ship';
    const work = await allocated(orderId, { lines: [one('SKU-A', 2)] });
    await fulfillmentEvent(probe, work, 'PACKED');
    await waitFor(async () => (await view(orderId)).status === 'IN_FULFILLMENT', { what: 'the order in fulfillment' });
    // Decided on the orchestrator's view (packed), while staff were already shipping the parcel.
    const cancelled = await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer changed their mind' });
    expect(cancelled.status).toBe(200);
    await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment');
    await fulfillmentEvent(probe, work, 'SHIPPED');
    await fulfillmentEvent(probe, work, 'SHIPPED', {}, `cannot cancel fulfillment ${work.fulfillmentId}: it is SHIPPED`);

    const commit = await command(probe, Topics.inventoryCommands, orderId, 'CommitReservation');
    expect(commit.value).toEqual({ reservationId: `${orderId}:R1`, orderId });
    const attention = await orderEvent(probe, orderId, 'OrderNeedsAttention');
    expect(attention.value.previousStatus).toBe('CANCELLED');
    expect(attention.value.reason).toMatch(new RegExp(`^${work.fulfillmentId} at WH-LYON shipped with DHL JD001 before it could be called off`));
    expect(attention.value.reason).toMatch(/its stock is committed; to do: /);
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'IN_FULFILLMENT', 'CANCELLED', 'NEEDS_ATTENTION']);
    // The hold was never given back: the goods are gone.
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation')).toEqual([]);
    expect((await view(orderId)).allocations[0]).toMatchObject({ fulfillmentStatus: 'SHIPPED' });

    // The parcel reaches the customer anyway: said once, so that returns may take it back, and its refund is counted.
    await fulfillmentEvent(probe, work, 'DELIVERED');
    await fulfillmentEvent(probe, work, 'DELIVERED');
    const reached = await waitFor(() => orderEvents(probe, orderId)[5], { what: 'the delivery announced' });
    expect(reached.value).toMatchObject({ status: 'NEEDS_ATTENTION', allocations: [{ fulfillmentStatus: 'DELIVERED', lines: [{ sku: 'SKU-A', quantity: 2 }] }] });
    expect(reached.value.reason).toBe(`${work.fulfillmentId} at WH-LYON was delivered though the order is NEEDS_ATTENTION: its units may be returned`);
    await refund(probe, { refundId: 'refund-R-race', returnId: 'R-race', orderId, amount: 10, currency: 'EUR', lines: [{ sku: 'SKU-A', quantity: 1, unitPrice: 10, condition: 'RESELLABLE', amount: 10 }] });
    const refunded = await waitFor(() => orderEvents(probe, orderId)[6], { what: 'the refund counted' });
    expect(refunded.value).toMatchObject({ status: 'NEEDS_ATTENTION' });
    expect(refunded.value.reason).toMatch(/^refund refund-R-race: 1 × SKU-A returned from goods that reached the customer though the order is NEEDS_ATTENTION/);
    await orchestratorSettled(app, probe);
    expect(orderEvents(probe, orderId)).toHaveLength(7);
  });

  it('records only the units a parcel that left while the order was being cancelled was picked with, so that no more come back or are refunded', async () => {
    const orderId = 'O-cancel-vs-short-ship';
    const work = await allocated(orderId, { lines: [one('SKU-A', 3)] });
    const cancelled = await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer changed their mind' });
    expect(cancelled.status).toBe(200);
    await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment');
    // Staff had picked one unit of three, and shipped it, before the call-off reached them.
    await fulfillmentEvent(probe, work, 'PICKED', { 'SKU-A': 1 });
    await fulfillmentEvent(probe, work, 'SHIPPED', { 'SKU-A': 1 });
    await fulfillmentEvent(probe, work, 'DELIVERED', { 'SKU-A': 1 });
    const reached = await waitFor(() => orderEvents(probe, orderId).find((m) => m.value.reason?.includes('its units may be returned')), { what: 'the delivery announced' });
    expect(reached.value.allocations).toEqual([expect.objectContaining({ fulfillmentStatus: 'DELIVERED', lines: [{ sku: 'SKU-A', quantity: 1 }] })]);
    expect((await view(orderId)).allocations[0].lines).toEqual([{ sku: 'SKU-A', quantity: 1 }]);
  });

  it('commits a transfer that left while its click & collect was being cancelled, and has the pickup store receive it, not put it back in stock by hand', async () => {
    const orderId = 'O-cancel-vs-transfer';
    const { transfer } = await collectedThroughATransfer(orderId);
    await fulfillmentEvent(probe, transfer, 'PACKED');
    await waitFor(async () => (await view(orderId)).status === 'IN_FULFILLMENT', { what: 'the order in fulfillment' });
    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer changed their mind' })).status).toBe(200);
    await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment', (value) => value.fulfillmentId === transfer.fulfillmentId);
    const counterCalledOff = await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment', (value) => value.fulfillmentId !== transfer.fulfillmentId);
    expect(counterCalledOff.value.transfersBackInStock).toBe(true);
    await fulfillmentEvent(probe, transfer, 'IN_TRANSIT', {}, `cannot cancel fulfillment ${transfer.fulfillmentId}: it is IN_TRANSIT`);

    const attention = await orderEvent(probe, orderId, 'OrderNeedsAttention');
    expect(attention.value.reason).toBe(
      `${transfer.fulfillmentId} at WH-LYON left for the pickup store with DHL JD001 before it could be called off (cannot cancel fulfillment ${transfer.fulfillmentId}: it is IN_TRANSIT)` +
        ': its stock is committed; to do: receive the goods at ST-LYON: they are counted into its stock there',
    );
    expect((await command(probe, Topics.inventoryCommands, orderId, 'CommitReservation')).value).toEqual({ reservationId: transfer.reservationId, orderId });

    // A person closes it by cancelling again: the counter was called off with the first cancel, and is not called off a second time under the same message id.
    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'closing it' })).status).toBe(200);
    await waitFor(() => statusesOf(orderId).length === 6, { what: 'the order closed' });
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'IN_FULFILLMENT', 'CANCELLED', 'NEEDS_ATTENTION', 'CANCELLED']);
    await orchestratorSettled(app, probe);
    const counterCallOffs = commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment').filter((m) => m.value.fulfillmentId === counterCalledOff.value.fulfillmentId);
    expect(counterCallOffs.map((m) => [m.headers.ce_id, m.value.reason])).toEqual([[counterCalledOff.headers.ce_id, 'customer changed their mind']]);
  });

  it('asks a person to settle a click & collect whose counter, serving transfers only, was collected while the order was being cancelled; its units may come back', async () => {
    const orderId = 'O-cancel-vs-collect';
    const { transfer, counter } = await collectedThroughATransfer(orderId);
    expect(counter.reservationId).toBeUndefined();
    for (const status of ['IN_TRANSIT', 'RECEIVED'] as const) await fulfillmentEvent(probe, transfer, status);
    await fulfillmentEvent(probe, counter, 'READY_FOR_PICKUP');
    await waitFor(async () => (await view(orderId)).status === 'READY_FOR_PICKUP', { what: 'the order ready for pickup' });

    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer changed their mind' })).status).toBe(200);
    // The customer walked away with the goods at the same moment; fulfillment then refuses the call-off.
    await fulfillmentEvent(probe, counter, 'COLLECTED');
    await fulfillmentEvent(probe, counter, 'COLLECTED', {}, `cannot cancel fulfillment ${counter.fulfillmentId}: it is COLLECTED`);

    const attention = await orderEvent(probe, orderId, 'OrderNeedsAttention');
    expect(attention.value.reason).toBe(
      `${counter.fulfillmentId} at ST-LYON was collected while the order was CANCELLED: its transfers' stock was committed when they left; ` +
        'to do: the customer has the goods: settle the payment with them or take them back as a return',
    );
    // Returns learns from it what the customer holds.
    expect(attention.value.allocations).toEqual([expect.objectContaining({ kind: 'TRANSFER', fulfillmentStatus: 'COLLECTED', lines: [{ sku: 'SKU-A', quantity: 1 }] })]);
    await orchestratorSettled(app, probe);
    expect(statusesOf(orderId).slice(-2)).toEqual(['CANCELLED', 'NEEDS_ATTENTION']);
  });

  it('tells a transfer that left, though a shortage had called it off, that its order was cancelled, under a message id of its own', async () => {
    const orderId = 'O-short-then-left';
    const { transfer } = await collectedThroughATransfer(orderId);
    await fulfillmentEvent(probe, transfer, 'PICKED', { 'SKU-A': 0 });
    const shortageCallOff = await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment', (value) => value.fulfillmentId === transfer.fulfillmentId);
    // Staff shipped it anyway before the call-off arrived, which fulfillment then refused.
    await fulfillmentEvent(probe, transfer, 'IN_TRANSIT');
    await fulfillmentEvent(probe, transfer, 'IN_TRANSIT', {}, `cannot cancel fulfillment ${transfer.fulfillmentId}: it is IN_TRANSIT`);
    const left = async () => [...(await view(orderId)).allocations, ...((await view(orderId)).allocationHistory ?? [])].some((part: any) => part.fulfillmentStatus === 'IN_TRANSIT');
    await waitFor(left, { what: 'the order knowing its transfer left' });

    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer changed their mind' })).status).toBe(200);
    const told = await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment', (value) => value.fulfillmentId === transfer.fulfillmentId && value.transfersBackInStock);
    expect(told.value.reason).toBe('customer changed their mind');
    expect(told.headers.ce_id).not.toBe(shortageCallOff.headers.ce_id);
  });

  it('gives the stock back only once fulfillment confirms it called the work off', async () => {
    const orderId = 'O-cancel-confirmed';
    const work = await allocated(orderId, { lines: [one('SKU-A')] });
    const cancelled = await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'duplicate order' });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', allocations: [], allocationHistory: [{ state: 'CANCELLING' }] });
    await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment');
    await fulfillmentEvent(probe, work, 'CANCELLED');
    const release = await command(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation');
    expect(release.value).toEqual({ reservationId: `${orderId}:R1`, orderId });
    expect(await view(orderId)).toMatchObject({ status: 'CANCELLED', allocationHistory: [{ state: 'RELEASING', fulfillmentStatus: 'CANCELLED' }] });
  });
});

describe('messages in the "wrong" order', () => {
  it('applies a stock shortage that arrived before the StockReserved it names, once the reservation is held', async () => {
    const marker = 'O-shortage-marker';
    await allocated(marker, { lines: [one('SKU-A')] });
    const orderId = 'O-shortage-first';
    const reserve = await submitted(orderId, { lines: [one('SKU-A', 2)] });
    expect(reserve.locationId).toBe('WH-LYON');
    // Inventory keys shortages by location and SKU: this one overtakes the StockReserved on the order's partition.
    await shortage(probe, 'WH-LYON', 'SKU-A', [{ reservationId: reserve.reservationId, orderId, quantity: 2 }], 'WH-LYON:SKU-A');
    await shortage(probe, 'WH-LYON', 'SKU-A', [{ reservationId: `${marker}:R1`, orderId: marker, quantity: 1 }], 'WH-LYON:SKU-A');
    // The marker's shortage, behind it on the same partition, was handled: so was the first one.
    await command(probe, Topics.fulfillmentCommands, marker, 'CancelFulfillment');

    await answerReservation(probe, reserve, 'reserved');
    const release = await command(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation');
    expect(release.value).toEqual({ reservationId: reserve.reservationId, orderId });
    const retry = await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId === `${orderId}:R2`);
    expect(retry.value).toMatchObject({ locationId: 'WH-MARSEILLE', lines: [{ sku: 'SKU-A', quantity: 2 }] });
    await answerReservation(probe, retry.value, 'reserved');
    const allocatedEvent = await orderEvent(probe, orderId, 'OrderAllocated');
    expect(allocatedEvent.value.allocations).toEqual([expect.objectContaining({ locationId: 'WH-MARSEILLE' })]);
    // Work for the re-routed part only: one at the short location would have come first on the order's partition.
    await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment');
    expect(commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment').map((m) => m.value.locationId)).toEqual(['WH-MARSEILLE']);
  });

  it('keeps a CancelOrder that arrives before its order, and cancels the order at once when it comes, never routing it', async () => {
    const orderId = 'O-cancel-first';
    await cancelAheadOfItsOrder(orderId);

    await submit(probe, anOrder(orderId, { lines: [one('SKU-A')] }));
    const cancelled = await orderEvent(probe, orderId, 'OrderCancelled');
    expect(cancelled.value.reason).toMatch(/^customer changed their mind \(CancelOrder received at .* before the order\)$/);
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'CANCELLED']);
    expect(await view(orderId)).toMatchObject({ status: 'CANCELLED', allocations: [], routing: [] });
    expect(probe.messages(Topics.dlq, (m) => m.value.value?.includes?.(orderId))).toEqual([]);
  });

  it('sends to the DLQ with why a CancelOrder kept for an order that then arrives invalid, instead of using it up unseen', async () => {
    const orderId = 'O-cancel-first-invalid';
    await cancelAheadOfItsOrder(orderId);

    await submit(probe, anOrder(orderId, { lines: [] }));
    await orderEvent(probe, orderId, 'OrderRejected');
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === orderId && m.value.originalTopic === Topics.ordersCommands);
    expect(dead.value.reason).toBe(`order ${orderId} cannot be cancelled: it was rejected (status REJECTED)`);
    expect(JSON.parse(dead.value.value)).toEqual({ orderId, reason: 'customer changed their mind' });
    expect(statusesOf(orderId)).toEqual(['REJECTED']);
  });

  it('cancels every order whose CancelOrder and submission arrive at the same moment, whichever is handled first, without a deadlock', async () => {
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    const orderIds = Array.from({ length: 40 }, (_, n) => `O-cancel-same-time-${n}`);
    await Promise.all(
      orderIds.flatMap((orderId) => [
        submit(probe, anOrder(orderId, { lines: [one('SKU-A')] })),
        sendCancel(probe, { orderId, reason: 'changed my mind' }, orderId),
      ]),
    );
    // Cancelled at once, or routed then cancelled: never routed with the cancellation left waiting for an order that came.
    await Promise.all(orderIds.map((orderId) => orderEvent(probe, orderId, 'OrderCancelled', 30_000).catch(() => undefined)));
    const notCancelled = orderIds.filter((orderId) => !statusesOf(orderId).includes('CANCELLED'));
    expect(notCancelled.map((orderId) => `${orderId}: ${statusesOf(orderId).join(' > ')}`)).toEqual([]);
    const [{ waiting }] = await app.get(MikroORM).em.getConnection().execute(
      `select count(*)::int as waiting from pending_cancellation where order_id like 'O-cancel-same-time-%'`,
    );
    expect(waiting).toBe(0);
    // A batch that deadlocks is retried one message at a time: nothing is lost, but it should not happen.
    expect(warnings.mock.calls.map(([message]) => String(message)).filter((message) => message.includes('Deadlock'))).toEqual([]);
    warnings.mockRestore();
  });

  it('sends a CancelOrder whose order did not come within its bound to the DLQ with why, instead of dropping it; the order coming later is routed', async () => {
    const orderId = 'O-cancel-stale';
    const connection = app.get(MikroORM).em.getConnection();
    await sendCancel(probe, { orderId, reason: 'changed my mind' }, orderId);
    await waitFor(async () => (await connection.execute('select 1 from pending_cancellation where order_id = ?', [orderId])).length > 0, { what: 'the CancelOrder kept' });
    await connection.execute(`update pending_cancellation set received_at = now() - interval '3 days' where order_id = ?`, [orderId]);
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === orderId && m.value.originalTopic === Topics.ordersCommands);
    expect(dead.value.reason).toMatch(/^order O-cancel-stale did not arrive within 86400 s of its CancelOrder \(received at .*\): there is nothing to cancel$/);
    expect(JSON.parse(dead.value.value)).toEqual({ orderId, reason: 'changed my mind' });
    expect(await connection.execute('select 1 from pending_cancellation where order_id = ?', [orderId])).toEqual([]);
    const reserve = await submitted(orderId, { lines: [one('SKU-A')] });
    expect(reserve.locationId).toBe('WH-LYON');
  });
});

describe('a CancelOrder past its bound whose order comes before the sweep sees it', () => {
  it('goes to the DLQ with why, as the sweep would have sent it, and notes it for the order\'s first step', async () => {
    const orderId = 'O-cancel-stale-overtaken';
    const value = { orderId, reason: 'changed my mind' };
    const message: IncomingMessage = { id: 'cancel-stale-1', source: '/channels/app', type: 'CancelOrder', topic: Topics.ordersCommands, partition: 0, offset: '7', key: orderId, headers: {}, raw: JSON.stringify(value), value };
    const early = app.get(EarlyCancellations);
    // Kept and found in one transaction: the sweep never sees the row, as when the order comes first.
    const found = await (app.get(MikroORM).em.fork() as EntityManager).transactional(async (em) => {
      await early.keep(em, message, orderId, value.reason);
      await em.execute(`update pending_cancellation set received_at = now() - interval '3 days' where order_id = ?`, [orderId]);
      return early.cameFirst(em, orderId);
    });
    expect(found).toEqual({ note: expect.stringMatching(/^a CancelOrder received at .* was older than 86400 s and was not applied$/) });
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === orderId && m.value.originalTopic === Topics.ordersCommands);
    expect(dead.value.reason).toMatch(/^order O-cancel-stale-overtaken arrived more than 86400 s after its CancelOrder \(received at .*\): the CancelOrder was not applied$/);
  });
});

describe('backorders', () => {
  it('keeps an order whose allocated parts all shipped eligible while it has backordered lines, and ships the rest when stock comes', async () => {
    const orderId = 'O-backorder-shipped';
    const reserve = await submitted(orderId, { lines: [one('SKU-A'), one('SKU-LATE', 2)] });
    await answerReservation(probe, reserve, 'reserved');
    await orderEvent(probe, orderId, 'OrderPartiallyAllocated');
    const first = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
    await fulfillmentEvent(probe, first, 'SHIPPED');
    const shipped = await waitFor(() => orderEvents(probe, orderId)[2], { what: 'the order after its first parcel left' });
    expect(shipped.value).toMatchObject({ status: 'IN_FULFILLMENT', backordered: [{ sku: 'SKU-LATE', quantity: 2 }] });
    expect(shipped.value.reason).toMatch(/2 × SKU-LATE still backordered/);

    truth.set('WH-MARSEILLE:SKU-LATE', 5);
    await stockLevel(probe, 'WH-MARSEILLE', 'SKU-LATE', 5);
    const retry = await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId === `${orderId}:R2`);
    expect(retry.value).toMatchObject({ locationId: 'WH-MARSEILLE', lines: [{ sku: 'SKU-LATE', quantity: 2 }] });
    await answerReservation(probe, retry.value, 'reserved');
    const second = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.fulfillmentId === `${orderId}-F2`)).value;
    await fulfillmentEvent(probe, second, 'SHIPPED');
    await orderEvent(probe, orderId, 'OrderShipped');
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'PARTIALLY_ALLOCATED', 'IN_FULFILLMENT', 'IN_FULFILLMENT', 'SHIPPED']);
  });

  it('serves every waiting order after one large restock, oldest first, not only the first twenty', async () => {
    const waiting = Array.from({ length: 25 }, (_, n) => `O-restock-${String(n).padStart(2, '0')}`);
    for (const orderId of waiting) {
      await answerReservation(probe, await submitted(orderId, { lines: [one('SKU-A'), one('SKU-RESTOCK')] }), 'reserved');
      await orderEvent(probe, orderId, 'OrderPartiallyAllocated');
    }
    truth.set('WH-LYON:SKU-RESTOCK', 100);
    await stockLevel(probe, 'WH-LYON', 'SKU-RESTOCK', 100);
    const retried = (orderId: string) => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock').find((m) => m.value.reservationId === `${orderId}:R2`);
    await waitFor(() => waiting.every(retried), { what: 'a reservation for every waiting order', timeoutMs: 30_000 });
    expect(waiting.map((orderId) => retried(orderId)!.value.lines)).toEqual(waiting.map(() => [{ sku: 'SKU-RESTOCK', quantity: 1 }]));
    // Oldest first: each retry was decided no earlier than the one of the order placed before it.
    const decided = await Promise.all(waiting.map(async (orderId) => Date.parse((await view(orderId)).routing.at(-1).at)));
    expect(decided).toEqual([...decided].sort((a, b) => a - b));
  });
});

describe('no decision from a stale view', () => {
  it("allocates a home delivery for stock inventory holds but the orchestrator's view has not seen yet", async () => {
    truth.set('WH-MARSEILLE:SKU-FRESH', 3);
    const reserve = await submitted('O-fresh', { lines: [one('SKU-FRESH', 2)] });
    expect(reserve).toMatchObject({ locationId: 'WH-MARSEILLE', lines: [{ sku: 'SKU-FRESH', quantity: 2 }] });
    await answerReservation(probe, reserve, 'reserved');
    await orderEvent(probe, 'O-fresh', 'OrderAllocated');
    expect((await view('O-fresh')).routing.map((r: { cause: string }) => r.cause)).toEqual(["initial routing (on inventory's figures: the view fell short)"]);
  });

  it('allocates a click & collect order right after stock was set at a warehouse, as a transfer', async () => {
    truth.set('WH-LYON:SKU-JUST-SET', 1);
    const reserve = await submitted('O-fresh-collect', { deliveryMode: 'CLICK_AND_COLLECT', shippingAddress: undefined, pickupLocationId: 'ST-LYON', lines: [one('SKU-JUST-SET')] });
    expect(reserve).toMatchObject({ locationId: 'WH-LYON', lines: [{ sku: 'SKU-JUST-SET', quantity: 1 }] });
    await answerReservation(probe, reserve, 'reserved');
    const allocatedEvent = await orderEvent(probe, 'O-fresh-collect', 'OrderAllocated');
    expect(allocatedEvent.value.allocations).toEqual([expect.objectContaining({ locationId: 'WH-LYON', kind: 'TRANSFER' })]);
  });

  it("backorders everything only on inventory's own figures, once it confirmed it holds nothing", async () => {
    await submit(probe, anOrder('O-nothing', { lines: [one('SKU-NOWHERE')] }));
    const backordered = await orderEvent(probe, 'O-nothing', 'OrderPartiallyAllocated');
    expect(backordered.value.backordered).toEqual([{ sku: 'SKU-NOWHERE', quantity: 1 }]);
    await command(probe, Topics.inventoryCommands, 'O-nothing', 'CheckAvailability');
    expect(commandsOf(probe, Topics.inventoryCommands, 'O-nothing', 'CheckAvailability').map((m) => m.value)).toEqual([
      { requestId: 'O-nothing:A1', orderId: 'O-nothing', skus: ['SKU-NOWHERE'] },
    ]);
    expect((await view('O-nothing')).routing.map((r: { cause: string }) => r.cause)).toEqual(["initial routing (on inventory's figures: the view fell short)"]);
  });
});
