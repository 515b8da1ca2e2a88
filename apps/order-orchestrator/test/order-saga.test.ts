import type { INestApplication } from '@nestjs/common';
import { Topics, type CreateFulfillment, type ReserveStockDto } from '@fil/contracts';
import { startTracing, stopTracing } from '@fil/observability';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, useTestEnvironment, waitFor } from '@fil/testing';
import {
  anOrder,
  answerReservation,
  call,
  command,
  commandsOf,
  fulfillmentEvent,
  orderEvent,
  orderEvents,
  refund,
  sendCancel,
  stockLevel,
  submit,
} from './support';

useTestEnvironment('orders-saga');
// Propagation only, so the test can see the order's trace carried on (exports nothing).
process.env.OTEL_TRACES_EXPORTER = 'none';
startTracing('order-orchestrator-test');
jest.setTimeout(60_000);

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const traceIdOf = (traceparent?: string) => traceparent?.split('-')[1];

/** Submits an order and waits for the ReserveStock the orchestrator sends for it. */
async function submitted(orderId: string, overrides: Record<string, unknown> = {}, extra: Record<string, string> = {}): Promise<ReserveStockDto> {
  await submit(probe, anOrder(orderId, overrides), orderId, extra);
  return (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value;
}

/** Submits an order, has inventory reserve it, and waits for the CreateFulfillment. */
async function allocated(orderId: string, overrides: Record<string, unknown> = {}, extra: Record<string, string> = {}): Promise<CreateFulfillment> {
  const reserve = await submitted(orderId, overrides, extra);
  await answerReservation(probe, reserve, 'reserved');
  return (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
}

const statusesOf = (orderId: string) => orderEvents(probe, orderId).map((m) => m.value.status);

beforeAll(async () => {
  await probe.start([Topics.ordersEvents, Topics.inventoryCommands, Topics.fulfillmentCommands, Topics.dlq]);
  // Loaded after useTestEnvironment so the service takes the test's database and topics.
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await stockLevel(probe, 'WH-LYON', 'SKU-A', 10);
  await stockLevel(probe, 'WH-LYON', 'SKU-B', 5);
  await stockLevel(probe, 'WH-SMALL', 'SKU-A', 2);
  await stockLevel(probe, 'WH-SMALL', 'SKU-B', 1);
  await stockLevel(probe, 'ST-PARIS', 'SKU-A', 50);
  await waitFor(async () => (await call(url, 'GET', '/availability?skus=SKU-A,SKU-B')).body.length === 5, {
    what: 'the stock view to hold the seeded levels',
  });
});

afterAll(async () => {
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('orders'));
  await stopTracing();
});

describe('the order saga, with inventory and fulfillment played by the test', () => {
  const orderId = 'O-happy';
  let fulfillment: CreateFulfillment;

  it('routes a received order to the location whose ATP covers every line with the most stock, and asks inventory to reserve it', async () => {
    const reserve = await submitted(orderId, {}, { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` });
    expect(reserve).toEqual({
      reservationId: `${orderId}:R1`,
      orderId,
      locationId: 'WH-LYON',
      lines: [
        { sku: 'SKU-A', quantity: 2 },
        { sku: 'SKU-B', quantity: 1 },
      ],
    });
    const received = await orderEvent(probe, orderId, 'OrderReceived');
    expect(received.headers.ce_id).toBe(`${orderId}:1`);
    expect(received.headers.ce_source).toBe('/fil/orders');
    expect(received.value).toMatchObject({ orderId, status: 'RECEIVED', channel: 'web', customerId: 'CUST-42', currency: 'EUR', allocations: [] });
    expect(traceIdOf(received.headers.traceparent)).toBe(TRACE_ID);

    await answerReservation(probe, reserve, 'reserved');
    const allocatedEvent = await orderEvent(probe, orderId, 'OrderAllocated');
    expect(allocatedEvent.headers.ce_id).toBe(`${orderId}:2`);
    expect(allocatedEvent.value).toMatchObject({
      status: 'ALLOCATED',
      previousStatus: 'RECEIVED',
      allocations: [{ locationId: 'WH-LYON', kind: 'SHIP', lines: reserve.lines, reservationId: `${orderId}:R1`, fulfillmentId: `${orderId}-F1` }],
    });
    fulfillment = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
    expect(fulfillment).toEqual({
      fulfillmentId: `${orderId}-F1`,
      orderId,
      locationId: 'WH-LYON',
      kind: 'SHIP',
      reservationId: `${orderId}:R1`,
      lines: reserve.lines,
    });
  });

  it('follows fulfillment to IN_FULFILLMENT once, SHIPPED (committing the reservation) and DELIVERED', async () => {
    await fulfillmentEvent(probe, fulfillment, 'PICKED');
    await fulfillmentEvent(probe, fulfillment, 'PACKED');
    await fulfillmentEvent(probe, fulfillment, 'SHIPPED');
    await fulfillmentEvent(probe, fulfillment, 'SHIPPED');
    await fulfillmentEvent(probe, fulfillment, 'DELIVERED');
    await orderEvent(probe, orderId, 'OrderDelivered');
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'IN_FULFILLMENT', 'SHIPPED', 'DELIVERED']);
    expect(orderEvents(probe, orderId).map((m) => m.headers.ce_id)).toEqual([1, 2, 3, 4, 5].map((n) => `${orderId}:${n}`));
    const commit = await command(probe, Topics.inventoryCommands, orderId, 'CommitReservation');
    expect(commit.value).toEqual({ reservationId: `${orderId}:R1`, orderId });
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'CommitReservation')).toHaveLength(1);
  });

  it('shows the order with its timeline in order and the routing explanation', async () => {
    const { status, body } = await call(url, 'GET', `/orders/${orderId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      orderId,
      status: 'DELIVERED',
      channel: 'web',
      deliveryMode: 'HOME_DELIVERY',
      customer: { id: 'CUST-42', name: 'Camille Martin' },
      shippingAddress: { lat: 45.764, lng: 4.8357, city: 'Lyon' },
      pickupLocationId: null,
      currency: 'EUR',
      placedAt: '2025-03-01T10:00:00.000Z',
      lines: anOrder(orderId).lines,
      backordered: [],
      returned: {},
      errors: [],
    });
    expect(body.timeline.map((step: { from: string; to: string }) => [step.from, step.to])).toEqual([
      [null, 'RECEIVED'],
      ['RECEIVED', 'ALLOCATED'],
      ['ALLOCATED', 'IN_FULFILLMENT'],
      ['IN_FULFILLMENT', 'SHIPPED'],
      ['SHIPPED', 'DELIVERED'],
    ]);
    expect(body.timeline[1].cause).toBe(`stock reserved at WH-LYON (${orderId}:R1)`);
    expect(body.timeline[3].cause).toMatch(/shipped from WH-LYON with DHL JD001/);
    expect(body.routing).toMatchObject({ policy: 'naive-single-location-v0', chosen: 'WH-LYON' });
    expect(body.routing.candidates.map((c: { locationId: string; qualifies: boolean }) => [c.locationId, c.qualifies])).toEqual([
      ['ST-PARIS', false],
      ['WH-LYON', true],
      ['WH-SMALL', true],
    ]);
    expect((await call(url, 'GET', '/orders/O-nope')).status).toBe(404);
  });

  it('counts refunds once each: PARTIALLY_RETURNED, then RETURNED when every unit is back', async () => {
    const base = { returnId: 'RET-1', orderId, amount: 0, currency: 'EUR' };
    const line = (sku: string, quantity: number) => ({ sku, quantity, unitPrice: 1, condition: 'RESELLABLE' as const, amount: quantity });
    const first = { ...base, refundId: 'refund-RET-1', lines: [line('SKU-A', 1)] };
    await refund(probe, first);
    await orderEvent(probe, orderId, 'OrderPartiallyReturned');
    // The same refund again under a new message id, then another on the same partition.
    await refund(probe, first);
    await refund(probe, { ...base, returnId: 'RET-2', refundId: 'refund-RET-2', lines: [line('SKU-B', 1)] }, 'RET-1');
    await waitFor(() => orderEvents(probe, orderId).find((m) => /refund-RET-2/.test(m.value.reason)), { what: 'the second refund' });
    expect((await call(url, 'GET', `/orders/${orderId}`)).body).toMatchObject({ status: 'PARTIALLY_RETURNED', returned: { 'SKU-A': 1, 'SKU-B': 1 } });

    await refund(probe, { ...base, returnId: 'RET-3', refundId: 'refund-RET-3', lines: [line('SKU-A', 1)] });
    const returned = await orderEvent(probe, orderId, 'OrderReturned');
    expect(returned.value).toMatchObject({ status: 'RETURNED', previousStatus: 'PARTIALLY_RETURNED', reason: 'refund refund-RET-3: 1 × SKU-A returned' });
    expect(statusesOf(orderId).slice(5)).toEqual(['PARTIALLY_RETURNED', 'PARTIALLY_RETURNED', 'RETURNED']);
  });

  it("lists a customer's orders newest first", async () => {
    await submitted('O-list-2', { customer: { id: 'CUST-LIST' } });
    await submitted('O-list-1', { customer: { id: 'CUST-LIST' } });
    const { status, body } = await call(url, 'GET', '/orders?customerId=CUST-LIST');
    expect(status).toBe(200);
    expect(body.map((order: { orderId: string }) => order.orderId)).toEqual(['O-list-1', 'O-list-2']);
    expect((await call(url, 'GET', '/orders')).status).toBe(400);
  });
});

describe('rejections on the way', () => {
  it('rejects with NO_STOCK, explaining every candidate, when no single location covers every line', async () => {
    await submit(probe, anOrder('O-no-stock', { lines: [{ lineId: '1', sku: 'SKU-B', quantity: 6, unitPrice: 1 }] }));
    const rejected = await orderEvent(probe, 'O-no-stock', 'OrderRejected');
    expect(rejected.value).toMatchObject({ status: 'REJECTED', previousStatus: 'RECEIVED', reason: 'NO_STOCK', allocations: [] });
    const { body } = await call(url, 'GET', '/orders/O-no-stock');
    expect(body.routing).toMatchObject({ chosen: null, reason: 'no single location has ATP for every line' });
    expect(body.routing.candidates.find((c: { locationId: string }) => c.locationId === 'WH-LYON')).toEqual({
      locationId: 'WH-LYON',
      qualifies: false,
      covered: [{ sku: 'SKU-B', atp: 5, needed: 6 }],
      reason: 'short of SKU-B (ATP 5, needed 6)',
    });
    expect(commandsOf(probe, Topics.inventoryCommands, 'O-no-stock', 'ReserveStock')).toEqual([]);
  });

  it("rejects with inventory's reason when inventory refuses the reservation", async () => {
    const reserve = await submitted('O-refused');
    await answerReservation(probe, reserve, 'refused', { reason: 'INSUFFICIENT_STOCK' });
    const rejected = await orderEvent(probe, 'O-refused', 'OrderRejected');
    expect(rejected.value).toMatchObject({ reason: 'STOCK_RESERVATION_REFUSED: INSUFFICIENT_STOCK', allocations: [] });
    // A late StockReserved for the same reservation changes nothing: once an answer sent after it
    // on the same partition has been applied, it has been handled.
    await answerReservation(probe, reserve, 'reserved');
    await answerReservation(probe, await submitted('O-refused-marker'), 'reserved', { key: 'O-refused' });
    await orderEvent(probe, 'O-refused-marker', 'OrderAllocated');
    expect(statusesOf('O-refused')).toEqual(['RECEIVED', 'REJECTED']);
  });

  it('ignores answers for unknown orders without stopping', async () => {
    await answerReservation(probe, { reservationId: 'O-ghost:R1', orderId: 'O-ghost', locationId: 'WH-LYON', lines: [{ sku: 'SKU-A', quantity: 1 }] }, 'reserved');
    await answerReservation(probe, await submitted('O-after-ghost'), 'reserved', { key: 'O-ghost' });
    await orderEvent(probe, 'O-after-ghost', 'OrderAllocated');
    expect(probe.messages(Topics.dlq)).toEqual([]);
  });
});

describe('cancellation', () => {
  it('cancels an allocated order over HTTP in its trace, releasing the reservation and calling off the fulfillment', async () => {
    const created = await allocated('O-cancel', {}, { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    const response = await call(url, 'POST', '/orders/O-cancel/cancel', { reason: 'customer changed their mind' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ orderId: 'O-cancel', status: 'CANCELLED' });
    expect(response.body.timeline.at(-1)).toMatchObject({ from: 'ALLOCATED', to: 'CANCELLED', cause: 'customer changed their mind' });

    const release = await command(probe, Topics.inventoryCommands, 'O-cancel', 'ReleaseReservation');
    expect(release.value).toEqual({ reservationId: 'O-cancel:R1', orderId: 'O-cancel' });
    const cancel = await command(probe, Topics.fulfillmentCommands, 'O-cancel', 'CancelFulfillment');
    expect(cancel.value).toEqual({ fulfillmentId: created.fulfillmentId, orderId: 'O-cancel', reason: 'customer changed their mind' });
    const cancelled = await orderEvent(probe, 'O-cancel', 'OrderCancelled');
    expect(cancelled.value).toMatchObject({ status: 'CANCELLED', previousStatus: 'ALLOCATED', reason: 'customer changed their mind' });
    expect(traceIdOf(cancelled.headers.traceparent)).toBe(TRACE_ID);

    const again = await call(url, 'POST', '/orders/O-cancel/cancel', { reason: 'twice' });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('order O-cancel cannot be cancelled: it is already cancelled (status CANCELLED)');
  });

  it('refuses to cancel a shipped order: 409 with the reason over HTTP, DLQ with the reason over Kafka', async () => {
    const created = await allocated('O-shipped');
    await fulfillmentEvent(probe, created, 'SHIPPED');
    await orderEvent(probe, 'O-shipped', 'OrderShipped');
    const response = await call(url, 'POST', '/orders/O-shipped/cancel', { reason: 'too late' });
    expect(response.status).toBe(409);
    expect(response.body.message).toBe('order O-shipped cannot be cancelled: a part has already shipped (status SHIPPED)');

    await sendCancel(probe, { orderId: 'O-shipped', reason: 'too late' }, 'O-shipped');
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.value.originalTopic === Topics.ordersCommands && m.key === 'O-shipped');
    expect(dead.value.reason).toMatch(/a part has already shipped/);
    expect((await call(url, 'GET', '/orders/O-shipped')).body.status).toBe('SHIPPED');
    expect(commandsOf(probe, Topics.inventoryCommands, 'O-shipped', 'ReleaseReservation')).toEqual([]);
    expect((await call(url, 'POST', '/orders/O-nope/cancel', { reason: 'x' })).status).toBe(404);
    expect((await call(url, 'POST', '/orders/O-shipped/cancel', {})).status).toBe(400);
  });

  it('cancels on CancelOrder before inventory answers, releases the pending reservation and ignores the late StockReserved', async () => {
    const reserve = await submitted('O-cancel-early');
    await sendCancel(probe, { orderId: 'O-cancel-early', reason: 'duplicate order' }, 'O-cancel-early');
    await orderEvent(probe, 'O-cancel-early', 'OrderCancelled');
    const release = await command(probe, Topics.inventoryCommands, 'O-cancel-early', 'ReleaseReservation');
    expect(release.value).toEqual({ reservationId: 'O-cancel-early:R1', orderId: 'O-cancel-early' });

    await answerReservation(probe, reserve, 'reserved');
    await answerReservation(probe, await submitted('O-cancel-early-marker'), 'reserved', { key: 'O-cancel-early' });
    await orderEvent(probe, 'O-cancel-early-marker', 'OrderAllocated');
    // The same CancelOrder again is harmless; a command behind it on its partition shows it was handled.
    await sendCancel(probe, { orderId: 'O-cancel-early', reason: 'duplicate order' }, 'O-cancel-early');
    await sendCancel(probe, { orderId: 'O-never-submitted', reason: 'marker' }, 'O-cancel-early');
    await probe.waitForMessage(Topics.dlq, (m) => m.key === 'O-cancel-early');
    expect(probe.messages(Topics.dlq, (m) => m.key === 'O-cancel-early').map((m) => m.value.reason)).toEqual([
      'cannot cancel order O-never-submitted: it does not exist',
    ]);
    expect(statusesOf('O-cancel-early')).toEqual(['RECEIVED', 'CANCELLED']);
    expect(commandsOf(probe, Topics.fulfillmentCommands, 'O-cancel-early', 'CreateFulfillment')).toEqual([]);
  });

  it('sends an invalid CancelOrder or one for an unknown order to the DLQ with the reason', async () => {
    await sendCancel(probe, { orderId: 'O-happy' }, 'K-invalid-cancel');
    await sendCancel(probe, { orderId: 'O-unknown', reason: 'x' }, 'K-unknown-cancel');
    const invalid = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'K-invalid-cancel');
    expect(invalid.value.reason).toMatch(/invalid CancelOrder: reason/);
    const unknown = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'K-unknown-cancel');
    expect(unknown.value.reason).toBe('cannot cancel order O-unknown: it does not exist');
  });
});
