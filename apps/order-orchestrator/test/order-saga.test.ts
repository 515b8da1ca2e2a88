import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { InventoryEventTypes, serviceSource, Topics, type CreateFulfillment, type ReserveStockDto } from '@fil/contracts';
import { startTracing, stopTracing } from '@fil/observability';
import { databaseName, dropDatabase } from '@fil/persistence';
import { ceHeaders, KafkaProbe, startService, testToken, useTestEnvironment, waitFor } from '@fil/testing';
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
  orchestratorSettled,
  orderEvent,
  orderEvents,
  refund,
  reservationEvent,
  sendCancel,
  sendEdit,
  shortage,
  stockLevel,
  submit,
} from './support';

useTestEnvironment('orders-saga');
// Deadlines far away: this file plays inventory by hand and never confirms releases (saga-timeouts.test.ts covers them).
process.env.FIL_SAGA_STEP_TIMEOUT_MS = '600000';
process.env.FIL_ROUTING_POLICIES = JSON.stringify({ marketplace: { shortage: 'REJECT' } });
process.env.FIL_E_RESERVATION_TTL_SECONDS = '3600';
// Propagation only, so the test can see the order's trace carried on (exports nothing).
process.env.OTEL_TRACES_EXPORTER = 'none';
startTracing('order-orchestrator-test');
jest.setTimeout(60_000);

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;
let stopAnswering: () => void;
/** What inventory holds: the test answers the orchestrator's availability questions from it, as inventory would. */
const truth = new Map<string, number>();

/** Stock as inventory announces it, and holds it. */
async function stocked(locationId: string, sku: string, atp: number) {
  truth.set(`${locationId}:${sku}`, atp);
  await stockLevel(probe, locationId, sku, atp);
}

/** Each SKU stocked at its location, once the orchestrator's view holds them all. */
async function stockedAndSeen(stock: [string, string, number][]) {
  for (const [locationId, sku, atp] of stock) await stocked(locationId, sku, atp);
  const connection = app.get(MikroORM).em.getConnection();
  const skus = stock.map(([, sku]) => sku);
  await waitFor(async () => (await connection.execute(`select count(*)::int as n from stock_view where sku in (${skus.map(() => '?').join(', ')})`, skus))[0].n === skus.length, { what: `the view of ${skus.join(', ')}` });
}

/** One unit of each SKU at its location, once the orchestrator's view holds them all. */
const oneUnitEachSeen = (stock: [string, string][]) => stockedAndSeen(stock.map(([locationId, sku]) => [locationId, sku, 1]));

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
  await location(probe, 'WH-LYON', 45.76, 4.84);
  await location(probe, 'WH-MARSEILLE', 43.3, 5.37);
  await location(probe, 'WH-TINY', 45.19, 5.72, { dailyCapacity: 1 });
  await location(probe, 'ST-PARIS', 48.86, 2.35, { type: 'STORE', pickup: true, reserve: true });
  await location(probe, 'ST-LYON', 45.76, 4.83, { type: 'STORE', ship: false, pickup: true, reserve: true });
  await stocked('WH-LYON', 'SKU-A', 10);
  await stocked('WH-LYON', 'SKU-B', 5);
  await stocked('WH-MARSEILLE', 'SKU-A', 2);
  await stocked('WH-MARSEILLE', 'SKU-B', 1);
  await stocked('ST-PARIS', 'SKU-A', 50);
  await stocked('ST-LYON', 'SKU-B', 3);
  await stocked('WH-TINY', 'SKU-C', 5);
  await stocked('WH-MARSEILLE', 'SKU-C', 5);
  await networkKnown(app, 5, 8);
  stopAnswering = answerAvailability(probe, truth);
});

afterAll(async () => {
  stopAnswering?.();
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
    expect(received.headers.ce_source).toBe(serviceSource('orders'));
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
      traceId: TRACE_ID,
    });
    expect(body.timeline.map((step: { from: string; to: string }) => [step.from, step.to])).toEqual([
      [null, 'RECEIVED'],
      ['RECEIVED', 'ALLOCATED'],
      ['ALLOCATED', 'IN_FULFILLMENT'],
      ['IN_FULFILLMENT', 'SHIPPED'],
      ['SHIPPED', 'DELIVERED'],
    ]);
    expect(body.timeline[1].cause).toBe('SHIP 2 × SKU-A, 1 × SKU-B from WH-LYON');
    expect(body.timeline[3].cause).toMatch(/WH-LYON shipped with DHL JD001/);
    expect(body.routing).toHaveLength(1);
    const [decision] = body.routing;
    expect(decision).toMatchObject({ cause: 'initial routing', outcome: 'ALLOCATE', allocations: [{ locationId: 'WH-LYON', kind: 'SHIP' }], backordered: [] });
    expect(decision.explanation).toMatchObject({ policyVersion: 'policy-v1', rulesVersion: 'fil-routing-v1', deliveryMode: 'HOME_DELIVERY', exact: true, channelPolicy: { shortage: 'BACKORDER' } });
    expect(decision.explanation.reason).toMatch(/1 shipment\(s\) from WH-LYON: the fewest shipments, then the lowest cost/);
    const candidates = Object.fromEntries(decision.explanation.candidates.map((c: { locationId: string }) => [c.locationId, c]));
    expect(candidates['WH-LYON']).toMatchObject({ cost: 4.006, distanceKm: 0.556, covers: ['SKU-A', 'SKU-B'] });
    expect(candidates['WH-MARSEILLE'].cost).toBeGreaterThan(6);
    expect(candidates['ST-LYON']).toEqual({ locationId: 'ST-LYON', filteredOut: 'NO_SHIP_CAPABILITY' });
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

  it('dead-letters a refund for an unknown order, or for an order none of whose goods reached the customer, instead of dropping it', async () => {
    const refunded = (target: string) => ({ returnId: `RET-${target}`, refundId: `refund-${target}`, orderId: target, amount: 1, currency: 'EUR', lines: [{ sku: 'SKU-A', quantity: 1, unitPrice: 1, condition: 'RESELLABLE' as const, amount: 1 }] });
    await refund(probe, refunded('O-refund-nowhere'), 'O-refund-nowhere');
    expect((await probe.waitForMessage(Topics.dlq, (m) => m.key === 'O-refund-nowhere')).value.reason).toBe('refund refund-O-refund-nowhere: unknown order O-refund-nowhere');
    await submitted('O-refund-early');
    await refund(probe, refunded('O-refund-early'), 'O-refund-early');
    expect((await probe.waitForMessage(Topics.dlq, (m) => m.key === 'O-refund-early')).value.reason).toBe('refund refund-O-refund-early: order O-refund-early is RECEIVED, none of its goods reached the customer');
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

describe('routing and re-routing', () => {
  it("backorders the whole order when nothing can be sourced, once inventory's own figures say so, as PRODUCT.md's default: PARTIALLY_ALLOCATED, nothing held", async () => {
    await submit(probe, anOrder('O-all-backordered', { lines: [{ lineId: '1', sku: 'SKU-NONE', quantity: 2, unitPrice: 1 }] }));
    const backordered = await orderEvent(probe, 'O-all-backordered', 'OrderPartiallyAllocated');
    expect(backordered.value).toMatchObject({ status: 'PARTIALLY_ALLOCATED', previousStatus: 'RECEIVED', allocations: [], backordered: [{ sku: 'SKU-NONE', quantity: 2 }] });
    expect(backordered.value.reason).toBe('nothing held yet; backordered 2 × SKU-NONE');
    expect(commandsOf(probe, Topics.inventoryCommands, 'O-all-backordered', 'CheckAvailability')).toHaveLength(1);
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, 'O-all-backordered', 'ReserveStock')).toEqual([]);
  });

  it("rejects with NO_STOCK when nothing can be sourced for a channel whose policy rejects shortages, once inventory's own figures say so, and reserves nothing", async () => {
    await submit(probe, anOrder('O-no-stock', { channel: 'marketplace', lines: [{ lineId: '1', sku: 'SKU-NONE', quantity: 1, unitPrice: 1 }] }));
    const rejected = await orderEvent(probe, 'O-no-stock', 'OrderRejected');
    expect(rejected.value).toMatchObject({ status: 'REJECTED', previousStatus: 'RECEIVED', allocations: [] });
    // The reason is the code alone, as PRODUCT.md names it; the words are in detail.
    expect(rejected.value).toMatchObject({ reason: 'NO_STOCK', detail: expect.stringMatching(/^NO_STOCK: no candidate holds any of the ordered SKUs/) });
    await command(probe, Topics.inventoryCommands, 'O-no-stock', 'CheckAvailability');
    expect(commandsOf(probe, Topics.inventoryCommands, 'O-no-stock', 'CheckAvailability')).toHaveLength(1);
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, 'O-no-stock', 'ReserveStock')).toEqual([]);
  });

  it('splits a line no location holds whole into two shipments, and follows both to DELIVERED, announcing the first parcel delivered and counting its return meanwhile', async () => {
    const orderId = 'O-split';
    await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-B', quantity: 6, unitPrice: 5 }] }));
    const first = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId.endsWith(':R1'))).value;
    const second = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId.endsWith(':R2'))).value;
    expect([first, second].map((r) => [r.locationId, r.lines])).toEqual([
      ['WH-LYON', [{ sku: 'SKU-B', quantity: 5 }]],
      ['WH-MARSEILLE', [{ sku: 'SKU-B', quantity: 1 }]],
    ]);
    await answerReservation(probe, first, 'reserved');
    await answerReservation(probe, second, 'reserved');
    const allocatedEvent = await orderEvent(probe, orderId, 'OrderAllocated');
    expect(allocatedEvent.value.allocations.map((a: { locationId: string }) => a.locationId)).toEqual(['WH-LYON', 'WH-MARSEILLE']);
    const f1 = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.fulfillmentId.endsWith('-F1'))).value;
    const f2 = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.fulfillmentId.endsWith('-F2'))).value;
    await fulfillmentEvent(probe, f1, 'SHIPPED');
    await waitFor(() => orderEvents(probe, orderId).length === 3, { what: 'the first shipment' });
    expect(orderEvents(probe, orderId)[2].value).toMatchObject({ status: 'IN_FULFILLMENT', reason: expect.stringMatching(/1 of 2 shipment\(s\) still to ship/) });
    await fulfillmentEvent(probe, f2, 'SHIPPED');
    await orderEvent(probe, orderId, 'OrderShipped');
    await fulfillmentEvent(probe, f1, 'DELIVERED');
    // The first parcel is at the customer: announced with where each parcel stands, so returns may take its units back.
    const delivered = await waitFor(() => orderEvents(probe, orderId)[4], { what: 'the first parcel delivered' });
    expect(delivered.value).toMatchObject({ status: 'SHIPPED', previousStatus: 'SHIPPED', reason: `fulfillment ${f1.fulfillmentId} at WH-LYON delivered; 1 parcel(s) still to deliver` });
    expect(delivered.value.allocations.map((a: { locationId: string; fulfillmentStatus: string }) => [a.locationId, a.fulfillmentStatus])).toEqual([
      ['WH-LYON', 'DELIVERED'],
      ['WH-MARSEILLE', 'SHIPPED'],
    ]);
    await refund(probe, { returnId: 'RET-split', refundId: 'refund-RET-split', orderId, amount: 5, currency: 'EUR', lines: [{ sku: 'SKU-B', quantity: 1, unitPrice: 5, condition: 'RESELLABLE', amount: 5 }] });
    const counted = await waitFor(() => orderEvents(probe, orderId)[5], { what: 'the refund counted' });
    expect(counted.value).toMatchObject({ status: 'SHIPPED', reason: 'refund refund-RET-split: 1 × SKU-B returned from a parcel delivered while the rest is on its way' });
    await fulfillmentEvent(probe, f2, 'DELIVERED');
    await orderEvent(probe, orderId, 'OrderPartiallyReturned');
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'IN_FULFILLMENT', 'SHIPPED', 'SHIPPED', 'SHIPPED', 'DELIVERED', 'PARTIALLY_RETURNED']);
    expect((await call(url, 'GET', `/orders/${orderId}`)).body).toMatchObject({ status: 'PARTIALLY_RETURNED', returned: { 'SKU-B': 1 } });
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'CommitReservation').map((m) => m.value.reservationId).sort()).toEqual([`${orderId}:R1`, `${orderId}:R2`]);
  });

  it("re-routes a refused part with inventory's fresh figures, and records both decisions apart from the order's row", async () => {
    const orderId = 'O-refused';
    const reserve = await submitted(orderId);
    expect(reserve.locationId).toBe('WH-LYON');
    await answerReservation(probe, reserve, 'refused', { reason: 'INSUFFICIENT_STOCK', shortLines: [{ sku: 'SKU-A', requested: 2, atp: 0 }] });
    const retry = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId === `${orderId}:R2`)).value;
    expect(retry).toMatchObject({ locationId: 'WH-MARSEILLE', lines: reserve.lines });
    await answerReservation(probe, retry, 'reserved');
    const allocatedEvent = await orderEvent(probe, orderId, 'OrderAllocated');
    expect(allocatedEvent.value.allocations).toEqual([expect.objectContaining({ locationId: 'WH-MARSEILLE', reservationId: `${orderId}:R2` })]);
    const { body } = await call(url, 'GET', `/orders/${orderId}`);
    expect(body.routing.map((r: { cause: string }) => r.cause)).toEqual(['initial routing', `re-route: WH-LYON refused ${orderId}:R1 (INSUFFICIENT_STOCK)`]);
    expect(body.allocationHistory.map((a: { state: string }) => a.state)).toEqual(['REFUSED', 'HELD']);
    // Its allocations are those that serve it, as its events list them; the refused part is history.
    expect(body.allocations).toEqual([expect.objectContaining({ locationId: 'WH-MARSEILLE', reservationId: `${orderId}:R2`, state: 'HELD' })]);
    expect(body.reroutes).toBe(1);
    const connection = app.get(MikroORM).em.getConnection();
    const [row] = await connection.execute('select * from customer_order where order_id = ?', [orderId]);
    expect(row).not.toHaveProperty('routing');
    expect(row.routing_decisions).toBe(2);
    // Only the first decision carries what the simulator replays.
    expect(await connection.execute(`select seq, record -> 'inputs' is not null as replayable from routing_decision where order_id = ? order by seq`, [orderId])).toEqual([
      { seq: 0, replayable: true },
      { seq: 1, replayable: false },
    ]);
  });

  it('gives up after the re-route budget: nothing held, every unit backordered', async () => {
    const orderId = 'O-refused-often';
    let reserve = await submitted(orderId, { lines: [{ lineId: '1', sku: 'SKU-C', quantity: 1, unitPrice: 1 }] });
    // Refusals without figures (unknown location): each one leaves the location out, until none is left.
    for (let n = 1; ; n += 1) {
      await answerReservation(probe, reserve, 'refused', { reason: 'UNKNOWN_LOCATION' });
      const next = () => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock').find((m) => m.value.reservationId === `${orderId}:R${n + 1}`);
      const settled = () => orderEvents(probe, orderId).some((m) => m.value.status === 'PARTIALLY_ALLOCATED');
      await waitFor(() => next() || settled(), { what: 'a re-route or the backorder' });
      if (!next()) break;
      reserve = next()!.value;
    }
    const backordered = await orderEvent(probe, orderId, 'OrderPartiallyAllocated');
    expect(backordered.value).toMatchObject({ allocations: [], backordered: [{ sku: 'SKU-C', quantity: 1 }] });
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock').length).toBeLessThanOrEqual(4);
    // Cancelled, so that its backorder retry takes no SKU-C (nor capacity) from the tests after it.
    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'test over' })).status).toBe(200);
  });

  it("re-routes the part of a stock shortage away from that location and starts a new fulfillment for it, in the order's trace, not the count's", async () => {
    const orderId = 'O-shortage';
    const first = await allocated(orderId, {}, { traceparent: `00-${TRACE_ID}-00f067aa0ba902c1-01` });
    await shortage(probe, 'WH-LYON', 'SKU-A', [{ reservationId: `${orderId}:R1`, orderId, quantity: 2 }]);
    const cancel = await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment');
    expect(cancel.value.fulfillmentId).toBe(first.fulfillmentId);
    // The hold goes back once fulfillment confirms nothing left.
    await fulfillmentEvent(probe, first, 'CANCELLED');
    const release = await command(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation');
    expect(release.value.reservationId).toBe(`${orderId}:R1`);
    const retry = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId === `${orderId}:R2`)).value;
    expect(retry.locationId).toBe('WH-MARSEILLE');
    await answerReservation(probe, retry, 'reserved');
    const created = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.fulfillmentId === `${orderId}-F2`)).value;
    expect(created.locationId).toBe('WH-MARSEILLE');
    await waitFor(() => orderEvents(probe, orderId).length === 3, { what: 'the re-allocation' });
    expect(orderEvents(probe, orderId)[2].value).toMatchObject({ status: 'ALLOCATED', reason: 're-allocated: SHIP 2 × SKU-A, 1 × SKU-B from WH-MARSEILLE' });
    // The call-off goes in the order's trace; fulfillment's answer, and what follows, carry it on.
    expect(traceIdOf(cancel.headers.traceparent)).toBe(TRACE_ID);
  });

  it("routes a part a count left short again once its work is called off: the SKU counted short elsewhere, the others still at the location, so a REJECT policy's order is served whole", async () => {
    const orderId = 'O-counted-short';
    // The truth the availability check reads: Lyon keeps its SKU-H2Y once the part is given back, and has no SKU-H2X left to promise.
    await oneUnitEachSeen([['WH-LYON', 'SKU-H2Y']]);
    await stocked('WH-LYON', 'SKU-H2X', 3);
    await stocked('WH-MARSEILLE', 'SKU-H2X', 3);
    const connection = app.get(MikroORM).em.getConnection();
    await waitFor(async () => (await connection.execute(`select count(*)::int as n from stock_view where sku = 'SKU-H2X'`))[0].n === 2, { what: 'the view of SKU-H2X' });
    const lines = [{ lineId: '1', sku: 'SKU-H2X', quantity: 3, unitPrice: 1 }, { lineId: '2', sku: 'SKU-H2Y', quantity: 1, unitPrice: 1 }];
    const work = await allocated(orderId, { channel: 'marketplace', lines });
    expect(work).toMatchObject({ locationId: 'WH-LYON', lines: [{ sku: 'SKU-H2X', quantity: 3 }, { sku: 'SKU-H2Y', quantity: 1 }] });

    truth.set('WH-LYON:SKU-H2X', 0);
    await shortage(probe, 'WH-LYON', 'SKU-H2X', [{ reservationId: `${orderId}:R1`, orderId, quantity: 3 }]);
    await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment');
    // Nothing is routed while the part still holds its stock: the location's SKU-H2Y is the part's own.
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).toHaveLength(1);
    await fulfillmentEvent(probe, work, 'CANCELLED');
    await command(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation');
    const parts = await waitFor(() => {
      const reserves = commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock').slice(1);
      return reserves.length === 2 ? reserves.map((m) => m.value as ReserveStockDto) : undefined;
    }, { what: 'the part routed again' });
    expect(parts.map(({ locationId, lines: partLines }) => ({ locationId, lines: partLines }))).toEqual(
      expect.arrayContaining([
        { locationId: 'WH-MARSEILLE', lines: [{ sku: 'SKU-H2X', quantity: 3 }] },
        { locationId: 'WH-LYON', lines: [{ sku: 'SKU-H2Y', quantity: 1 }] },
      ]),
    );
    for (const part of parts) await answerReservation(probe, part, 'reserved');
    await waitFor(() => orderEvents(probe, orderId).find((m) => m.value.reason?.startsWith('re-allocated')), { what: 'the re-allocation' });
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'ALLOCATED']);
  });

  it('re-routes the units a picker could not find to another location, and ships the order from both', async () => {
    const orderId = 'O-short-pick';
    const first = await allocated(orderId);
    await fulfillmentEvent(probe, first, 'PICKED', { 'SKU-A': 1 });
    const retry = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId === `${orderId}:R2`)).value;
    expect(retry).toMatchObject({ locationId: 'WH-MARSEILLE', lines: [{ sku: 'SKU-A', quantity: 1 }] });
    await answerReservation(probe, retry, 'reserved');
    const second = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.fulfillmentId === `${orderId}-F2`)).value;
    await fulfillmentEvent(probe, first, 'SHIPPED', { 'SKU-A': 1 });
    await fulfillmentEvent(probe, second, 'SHIPPED');
    await orderEvent(probe, orderId, 'OrderShipped');
    const { body } = await call(url, 'GET', `/orders/${orderId}`);
    expect(body.allocations.map((a: any) => [a.locationId, a.lines])).toEqual([
      ['WH-LYON', [{ sku: 'SKU-A', quantity: 1 }, { sku: 'SKU-B', quantity: 1 }]],
      ['WH-MARSEILLE', [{ sku: 'SKU-A', quantity: 1 }]],
    ]);
    expect(body.routing[1].cause).toBe(`re-route: short pick at WH-LYON (${orderId}-F1): 1 × SKU-A not found`);
    expect(body.routing[1].explanation.candidates).toContainEqual({ locationId: 'WH-LYON', filteredOut: 'EXCLUDED_FOR_ORDER' });
  });

  it('keeps an order IN_FULFILLMENT, not SHIPPED, when its parcel leaves while the units its picker missed are still being routed, and serves them when stock comes', async () => {
    const orderId = 'O-ship-while-rerouting';
    await stockedAndSeen([['WH-LYON', 'SKU-LONE', 3]]);
    const work = await allocated(orderId, { lines: [{ lineId: '1', sku: 'SKU-LONE', quantity: 3, unitPrice: 1 }] });
    // Inventory is slow to say where else the two missing units are: the parcel with the one found leaves meanwhile.
    stopAnswering();
    // What inventory announces of the short pick: the two units missing are gone from Lyon, the one found is the parcel's.
    await stocked('WH-LYON', 'SKU-LONE', 0);
    await fulfillmentEvent(probe, work, 'PICKED', { 'SKU-LONE': 1 });
    await command(probe, Topics.inventoryCommands, orderId, 'CheckAvailability');
    await fulfillmentEvent(probe, work, 'PACKED', { 'SKU-LONE': 1 });
    await fulfillmentEvent(probe, work, 'SHIPPED', { 'SKU-LONE': 1 });
    await orchestratorSettled(app, probe);
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'IN_FULFILLMENT', 'IN_FULFILLMENT']);
    stopAnswering = answerAvailability(probe, truth);
    await waitFor(() => orderEvents(probe, orderId).find((m) => m.value.backordered?.length), { what: 'the missing units backordered' });
    expect(orderEvents(probe, orderId).at(-1)!.value).toMatchObject({ status: 'IN_FULFILLMENT', backordered: [{ sku: 'SKU-LONE', quantity: 2 }] });

    await stocked('WH-MARSEILLE', 'SKU-LONE', 2);
    const again = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId.endsWith(':R2'))).value;
    expect(again).toMatchObject({ locationId: 'WH-MARSEILLE', lines: [{ sku: 'SKU-LONE', quantity: 2 }] });
  });

  it('backorders the units a picker found none of when no other location has them, and announces it in a step', async () => {
    const orderId = 'O-short-pick-none';
    await stocked('WH-LYON', 'SKU-RARE', 3);
    await orchestratorSettled(app, probe);
    const first = await allocated(orderId, { lines: [{ lineId: '1', sku: 'SKU-RARE', quantity: 3, unitPrice: 1 }] });
    expect(first.locationId).toBe('WH-LYON');
    await fulfillmentEvent(probe, first, 'PICKED', { 'SKU-RARE': 0 });
    // What inventory announces of the short pick: the three units are written off.
    await stocked('WH-LYON', 'SKU-RARE', 0);
    const backordered = await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && !!m.value.backordered);
    expect(backordered.headers.ce_type).toBe('OrderInFulfillment');
    expect(backordered.value).toMatchObject({ status: 'IN_FULFILLMENT', allocations: [], backordered: [{ sku: 'SKU-RARE', quantity: 3 }] });
    expect(backordered.value.reason).toMatch(/^backordered 3 × SKU-RARE: short pick at WH-LYON/);
    const { body } = await call(url, 'GET', `/orders/${orderId}`);
    expect(body.timeline.at(-1)).toMatchObject({ from: 'IN_FULFILLMENT', to: 'IN_FULFILLMENT', cause: backordered.value.reason });

    // Stock counted in later at that location is real: the backorder is served from it, though the short pick kept the re-route away.
    await stocked('WH-LYON', 'SKU-RARE', 2);
    const retry = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId === `${orderId}:R2`)).value;
    expect(retry).toMatchObject({ locationId: 'WH-LYON', lines: [{ sku: 'SKU-RARE', quantity: 2 }] });
    await answerReservation(probe, retry, 'reserved');
    const served = await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.allocations?.some((part: { reservationId: string }) => part.reservationId === retry.reservationId));
    expect(served.value).toMatchObject({ status: 'IN_FULFILLMENT', backordered: [{ sku: 'SKU-RARE', quantity: 1 }] });
  });

  it('does not route the units a picker missed back to the same location before stock is counted in there, though its figures still show some', async () => {
    const orderId = 'O-short-pick-spare';
    await stockedAndSeen([['WH-LYON', 'SKU-SPARE', 10]]);
    const first = await allocated(orderId, { lines: [{ lineId: '1', sku: 'SKU-SPARE', quantity: 4, unitPrice: 1 }] });
    await fulfillmentEvent(probe, first, 'PICKED', { 'SKU-SPARE': 3 });
    // What inventory announces of the short pick: Lyon still shows 6 to promise (10, 1 written off, 3 held).
    await stocked('WH-LYON', 'SKU-SPARE', 6);
    await waitFor(() => orderEvents(probe, orderId).find((m) => m.value.backordered?.length), { what: 'the missing unit backordered' });
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock').map((m) => m.value.reservationId)).toEqual([first.reservationId]);

    // A count there is the real stock: the backorder is served from it.
    await stocked('WH-LYON', 'SKU-SPARE', 8);
    const retry = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId === `${orderId}:R2`)).value;
    expect(retry).toMatchObject({ locationId: 'WH-LYON', lines: [{ sku: 'SKU-SPARE', quantity: 1 }] });
  });

  it('stops routing to a location at its daily capacity, and says so', async () => {
    const near = { shippingAddress: { lat: 45.19, lng: 5.72 }, lines: [{ lineId: '1', sku: 'SKU-C', quantity: 1, unitPrice: 1 }] };
    const first = await allocated('O-capacity-1', near);
    expect(first.locationId).toBe('WH-TINY');
    const second = await submitted('O-capacity-2', near);
    expect(second.locationId).toBe('WH-MARSEILLE');
    const { body } = await call(url, 'GET', '/orders/O-capacity-2');
    expect(body.routing[0].explanation.candidates).toContainEqual({ locationId: 'WH-TINY', filteredOut: 'AT_DAILY_CAPACITY' });
  });

  it('counts work against a capacity once it is routed there: of orders arriving together, only as many as the capacity go to the location', async () => {
    await location(probe, 'WH-SMALL', 44, 6, { dailyCapacity: 2 });
    await stocked('WH-SMALL', 'SKU-S', 10);
    await stocked('WH-MARSEILLE', 'SKU-S', 10);
    const connection = app.get(MikroORM).em.getConnection();
    await waitFor(async () => (await connection.execute(`select count(*)::int as n from stock_view where sku = 'SKU-S'`))[0].n === 2, { what: 'the view of SKU-S' });
    const near = { shippingAddress: { lat: 44, lng: 6 }, lines: [{ lineId: '1', sku: 'SKU-S', quantity: 1, unitPrice: 1 }] };
    const orderIds = ['O-together-1', 'O-together-2', 'O-together-3', 'O-together-4'];
    // No reservation is answered: none of these fulfillments has started when the next order is routed.
    await Promise.all(orderIds.map((orderId) => submit(probe, anOrder(orderId, near), orderId)));
    const reserves = await Promise.all(orderIds.map((orderId) => command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')));
    expect(reserves.filter((reserve) => reserve.value.locationId === 'WH-SMALL')).toHaveLength(2);
    expect(reserves.filter((reserve) => reserve.value.locationId === 'WH-MARSEILLE')).toHaveLength(2);
  });

  it('backorders what cannot be served by default (PARTIALLY_ALLOCATED), and rejects it for a channel whose policy says so', async () => {
    const lines = [
      { lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1 },
      { lineId: '2', sku: 'SKU-NONE', quantity: 2, unitPrice: 1 },
    ];
    await answerReservation(probe, await submitted('O-backorder', { lines }), 'reserved');
    const partial = await orderEvent(probe, 'O-backorder', 'OrderPartiallyAllocated');
    expect(partial.value).toMatchObject({ backordered: [{ sku: 'SKU-NONE', quantity: 2 }], allocations: [{ lines: [{ sku: 'SKU-A', quantity: 1 }] }] });

    await submit(probe, anOrder('O-strict', { channel: 'marketplace', lines }));
    const rejected = await orderEvent(probe, 'O-strict', 'OrderRejected');
    expect(rejected.value).toMatchObject({ reason: 'INSUFFICIENT_STOCK', detail: expect.stringMatching(/^INSUFFICIENT_STOCK: .*channel policy rejects orders that cannot be served whole/) });
  });

  it('announces a parcel that reaches the customer after the rest of its order was rejected under a REJECT policy, so that it may be returned', async () => {
    const orderId = 'O-strict-late';
    await oneUnitEachSeen([['WH-LYON', 'SKU-P1'], ['WH-MARSEILLE', 'SKU-P2']]);
    await submit(probe, anOrder(orderId, { channel: 'marketplace', lines: [{ lineId: '1', sku: 'SKU-P1', quantity: 1, unitPrice: 1 }, { lineId: '2', sku: 'SKU-P2', quantity: 1, unitPrice: 1 }] }));
    await waitFor(() => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock').length === 2, { what: 'two parts' });
    for (const reserve of commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')) await answerReservation(probe, reserve.value, 'reserved');
    await waitFor(() => commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment').length === 2, { what: 'two parcels' });
    const [first, second] = commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment').map((m) => m.value).sort((a, b) => (a.locationId < b.locationId ? -1 : 1));
    await fulfillmentEvent(probe, first, 'SHIPPED');
    await fulfillmentEvent(probe, second, 'PICKED', { 'SKU-P2': 0 });
    expect((await orderEvent(probe, orderId, 'OrderRejected')).value.allocations).toEqual([expect.objectContaining({ locationId: first.locationId, fulfillmentStatus: 'SHIPPED' })]);

    await fulfillmentEvent(probe, first, 'DELIVERED');
    const reached = await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.status === 'REJECTED' && /delivered though/.test(m.value.reason));
    expect(reached.value.reason).toBe(`${first.fulfillmentId} at ${first.locationId} was delivered though the order is REJECTED: its units may be returned`);
  });

  it('calls off the counter, and the transfer that left, of a click & collect rejected under a REJECT policy so that what its transfers bring goes into the store\'s stock', async () => {
    const orderId = 'O-strict-collect';
    await oneUnitEachSeen([['WH-LYON', 'SKU-Q1'], ['WH-MARSEILLE', 'SKU-Q2']]);
    const lines = [{ lineId: '1', sku: 'SKU-Q1', quantity: 1, unitPrice: 1 }, { lineId: '2', sku: 'SKU-Q2', quantity: 1, unitPrice: 1 }];
    await submit(probe, anOrder(orderId, { channel: 'marketplace', deliveryMode: 'CLICK_AND_COLLECT', shippingAddress: undefined, pickupLocationId: 'ST-LYON', lines }));
    await waitFor(() => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock').length === 2, { what: 'two transfers' });
    for (const reserve of commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')) await answerReservation(probe, reserve.value, 'reserved');
    const transfers = await waitFor(() => {
      const created = commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment').map((m) => m.value).filter((work) => work.kind === 'TRANSFER');
      return created.length === 2 ? created.sort((a, b) => (a.locationId < b.locationId ? -1 : 1)) : undefined;
    }, { what: 'two transfers created' });
    const [fromLyon, fromMarseille] = transfers;
    await fulfillmentEvent(probe, fromLyon, 'IN_TRANSIT');
    await fulfillmentEvent(probe, fromMarseille, 'PICKED', { 'SKU-Q2': 0 });
    await orderEvent(probe, orderId, 'OrderRejected');

    const counterCalledOff = await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment', (value) => value.fulfillmentId === `${orderId}-C`);
    expect(counterCalledOff.value.transfersBackInStock).toBe(true);
    // The transfer that left is told too, so that it is counted in at the store with or without a counter.
    const transferCalledOff = await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment', (value) => value.fulfillmentId === fromLyon.fulfillmentId);
    expect(transferCalledOff.value.transfersBackInStock).toBe(true);
  });

  it('routes the backordered units once stock arrives, and the order becomes ALLOCATED', async () => {
    // O-backorder (above) waits for 2 × SKU-NONE.
    await stocked('WH-MARSEILLE', 'SKU-NONE', 5);
    const reserve = (await command(probe, Topics.inventoryCommands, 'O-backorder', 'ReserveStock', (v) => v.reservationId === 'O-backorder:R2')).value;
    expect(reserve).toMatchObject({ locationId: 'WH-MARSEILLE', lines: [{ sku: 'SKU-NONE', quantity: 2 }] });
    await answerReservation(probe, reserve, 'reserved');
    const allocated = await orderEvent(probe, 'O-backorder', 'OrderAllocated');
    expect(allocated.value).toMatchObject({ previousStatus: 'PARTIALLY_ALLOCATED', reason: 're-allocated: SHIP 2 × SKU-NONE from WH-MARSEILLE' });
    expect(allocated.value.backordered).toBeUndefined();
    const created = await command(probe, Topics.fulfillmentCommands, 'O-backorder', 'CreateFulfillment', (v) => v.fulfillmentId === 'O-backorder-F2');
    expect(created.value.lines).toEqual([{ sku: 'SKU-NONE', quantity: 2 }]);
    const { body } = await call(url, 'GET', '/orders/O-backorder');
    expect(body.routing.at(-1).cause).toBe('backorder: stock arrived');
    expect(body.reroutes).toBe(0);
  });

  it('ignores answers for unknown orders without stopping', async () => {
    await answerReservation(probe, { reservationId: 'O-ghost:R1', orderId: 'O-ghost', locationId: 'WH-LYON', lines: [{ sku: 'SKU-A', quantity: 1 }] }, 'reserved');
    await answerReservation(probe, await submitted('O-after-ghost'), 'reserved', { key: 'O-ghost' });
    await orderEvent(probe, 'O-after-ghost', 'OrderAllocated');
    await orchestratorSettled(app, probe);
    expect(probe.messages(Topics.dlq, (m) => m.value.originalTopic === Topics.inventoryEvents)).toEqual([]);
  });

  it('sends a StockReserved that inventory did not publish to the DLQ, and the order waits for the real one', async () => {
    const orderId = 'O-forged';
    const reserve = await submitted(orderId);
    const { ce_source: _inventory, ...unsigned } = ceHeaders('inventory', InventoryEventTypes.reserved);
    await answerReservation(probe, reserve, 'reserved', { headers: { ...unsigned, ce_source: '/fil/test' } });
    await answerReservation(probe, reserve, 'reserved', { headers: unsigned });
    const dead = await waitFor(() => {
      const found = probe.messages(Topics.dlq, (m) => m.key === orderId && m.value.originalTopic === Topics.inventoryEvents);
      return found.length === 2 && found;
    }, { what: 'both forged answers in the DLQ' });
    expect(dead.map((m) => m.value.reason)).toEqual([
      `${Topics.inventoryEvents} does not accept messages from source /fil/test`,
      `${Topics.inventoryEvents} does not accept messages without a ce_source`,
    ]);
    expect((await call(url, 'GET', `/orders/${orderId}`)).body.status).toBe('RECEIVED');
    // Inventory's own answer, with the id the forger used first, is still a message of its own.
    await answerReservation(probe, reserve, 'reserved', { headers: { ...unsigned, ce_source: serviceSource('inventory') } });
    await orderEvent(probe, orderId, 'OrderAllocated');
  });
});

describe('click & collect', () => {
  const orderId = 'O-collect';
  const order = { deliveryMode: 'CLICK_AND_COLLECT', shippingAddress: undefined, pickupLocationId: 'ST-PARIS' };

  it("picks the store's own stock, transfers the rest, and is ready only when the counter says so", async () => {
    await submit(probe, anOrder(orderId, order));
    const local = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId.endsWith(':R1'))).value;
    const transfer = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId.endsWith(':R2'))).value;
    expect(local).toMatchObject({ locationId: 'ST-PARIS', lines: [{ sku: 'SKU-A', quantity: 2 }] });
    // SKU-B: the nearest ship location to the Paris store holding it whole (Lyon, not Marseille).
    expect(transfer).toMatchObject({ locationId: 'WH-LYON', lines: [{ sku: 'SKU-B', quantity: 1 }] });
    await answerReservation(probe, local, 'reserved');
    await answerReservation(probe, transfer, 'reserved');
    const allocatedEvent = await orderEvent(probe, orderId, 'OrderAllocated');
    expect(allocatedEvent.value.allocations.map((a: { kind: string }) => a.kind)).toEqual(['PICKUP', 'TRANSFER']);

    const transferWork = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.kind === 'TRANSFER')).value;
    expect(transferWork).toMatchObject({ locationId: 'WH-LYON', destinationLocationId: 'ST-PARIS', reservationId: `${orderId}:R2` });
    const counter = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.kind === 'PICKUP')).value;
    expect(counter).toEqual({
      fulfillmentId: `${orderId}-C`,
      orderId,
      locationId: 'ST-PARIS',
      kind: 'PICKUP',
      reservationId: `${orderId}:R1`,
      lines: [
        { sku: 'SKU-A', quantity: 2 },
        { sku: 'SKU-B', quantity: 1 },
      ],
      // The store's own units: the SKU-B comes by transfer, and the counter waits for it.
      ownLines: [{ sku: 'SKU-A', quantity: 2 }],
    });

    await fulfillmentEvent(probe, transferWork, 'IN_TRANSIT');
    await orderEvent(probe, orderId, 'OrderInFulfillment');
    await fulfillmentEvent(probe, transferWork, 'RECEIVED');
    await fulfillmentEvent(probe, counter, 'READY_FOR_PICKUP');
    await orderEvent(probe, orderId, 'OrderReadyForPickup');
    await fulfillmentEvent(probe, counter, 'COLLECTED');
    await orderEvent(probe, orderId, 'OrderCollected');
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'IN_FULFILLMENT', 'IN_FULFILLMENT', 'READY_FOR_PICKUP', 'COLLECTED']);
    // The transfer's stock was consumed when it left; the store's is fulfillment's to commit with the hand-over, not sent twice.
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'CommitReservation').map((m) => m.value.reservationId)).toEqual([`${orderId}:R2`]);
  });

  it('routes again a transferred unit that went missing at the counter, beyond the store\'s own part, which stays whole', async () => {
    const lostId = 'O-collect-lost';
    await submit(probe, anOrder(lostId, order));
    const local = (await command(probe, Topics.inventoryCommands, lostId, 'ReserveStock', (v) => v.reservationId.endsWith(':R1'))).value;
    const transfer = (await command(probe, Topics.inventoryCommands, lostId, 'ReserveStock', (v) => v.reservationId.endsWith(':R2'))).value;
    await answerReservation(probe, local, 'reserved');
    await answerReservation(probe, transfer, 'reserved');
    const transferWork = (await command(probe, Topics.fulfillmentCommands, lostId, 'CreateFulfillment', (v) => v.kind === 'TRANSFER')).value;
    const counter = (await command(probe, Topics.fulfillmentCommands, lostId, 'CreateFulfillment', (v) => v.kind === 'PICKUP')).value;
    await fulfillmentEvent(probe, transferWork, 'IN_TRANSIT');
    await fulfillmentEvent(probe, transferWork, 'RECEIVED');
    // At the counter the transferred SKU-B is not found; the store's own SKU-A units are all there.
    await fulfillmentEvent(probe, counter, 'PICKED', { 'SKU-B': 0 });
    const again = (await command(probe, Topics.inventoryCommands, lostId, 'ReserveStock', (v) => v.reservationId.endsWith(':R3'))).value;
    expect(again).toMatchObject({ lines: [{ sku: 'SKU-B', quantity: 1 }] });
    expect(again.locationId).not.toBe('ST-PARIS');
    const view = await call(url, 'GET', `/orders/${lostId}`);
    expect(view.body.allocations.find((a: { kind: string }) => a.kind === 'PICKUP')).toMatchObject({ lines: [{ sku: 'SKU-A', quantity: 2 }] });
  });

  it('does not route again a unit of a transfer still on its way when the counter is picked before it arrives', async () => {
    const earlyId = 'O-collect-early-pick';
    await submit(probe, anOrder(earlyId, order));
    for (const suffix of [':R1', ':R2']) {
      await answerReservation(probe, (await command(probe, Topics.inventoryCommands, earlyId, 'ReserveStock', (v) => v.reservationId.endsWith(suffix))).value, 'reserved');
    }
    const transferWork = (await command(probe, Topics.fulfillmentCommands, earlyId, 'CreateFulfillment', (v) => v.kind === 'TRANSFER')).value;
    const counter = (await command(probe, Topics.fulfillmentCommands, earlyId, 'CreateFulfillment', (v) => v.kind === 'PICKUP')).value;
    await fulfillmentEvent(probe, transferWork, 'IN_TRANSIT');
    await fulfillmentEvent(probe, counter, 'PICKED', { 'SKU-B': 0 });
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, earlyId, 'ReserveStock')).toHaveLength(2);
  });

  it("counts the units of a transfer still on its way as missing at an early counter pick before the store's own units of the same SKU", async () => {
    const mixedId = 'O-collect-early-pick-same-sku';
    await oneUnitEachSeen([['ST-PARIS', 'SKU-SAME'], ['WH-LYON', 'SKU-SAME']]);
    await submit(probe, anOrder(mixedId, { ...order, lines: [{ lineId: '1', sku: 'SKU-SAME', quantity: 2, unitPrice: 5 }] }));
    const own = (await command(probe, Topics.inventoryCommands, mixedId, 'ReserveStock', (v) => v.reservationId.endsWith(':R1'))).value;
    const transfer = (await command(probe, Topics.inventoryCommands, mixedId, 'ReserveStock', (v) => v.reservationId.endsWith(':R2'))).value;
    expect([own.locationId, transfer.locationId]).toEqual(['ST-PARIS', 'WH-LYON']);
    await answerReservation(probe, own, 'reserved');
    await answerReservation(probe, transfer, 'reserved');
    const transferWork = (await command(probe, Topics.fulfillmentCommands, mixedId, 'CreateFulfillment', (v) => v.kind === 'TRANSFER')).value;
    const counter = (await command(probe, Topics.fulfillmentCommands, mixedId, 'CreateFulfillment', (v) => v.kind === 'PICKUP')).value;
    await fulfillmentEvent(probe, transferWork, 'IN_TRANSIT');
    // Staff gather the store's one unit; the other is in the van.
    await fulfillmentEvent(probe, counter, 'PICKED', { 'SKU-SAME': 1 });
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, mixedId, 'ReserveStock')).toHaveLength(2);
    expect(commandsOf(probe, Topics.fulfillmentCommands, mixedId, 'CancelFulfillment')).toHaveLength(0);
    const view = await call(url, 'GET', `/orders/${mixedId}`);
    expect(view.body.allocations.find((a: { kind: string }) => a.kind === 'PICKUP')).toMatchObject({ lines: [{ sku: 'SKU-SAME', quantity: 1 }] });
  });

  it("counts as the store's own missing units at a counter pick only those the store should hold: not a transfer's unit backordered at its origin", async () => {
    const orderId = 'O-collect-backordered-then-pick';
    await oneUnitEachSeen([['WH-LYON', 'SKU-W']]);
    await stocked('ST-PARIS', 'SKU-W', 2);
    const connection = app.get(MikroORM).em.getConnection();
    await waitFor(async () => (await connection.execute(`select count(*)::int as n from stock_view where sku = 'SKU-W'`))[0].n === 2, { what: 'the view of SKU-W' });
    await submit(probe, anOrder(orderId, { ...order, lines: [{ lineId: '1', sku: 'SKU-W', quantity: 3, unitPrice: 5 }, { lineId: '2', sku: 'SKU-B', quantity: 1, unitPrice: 5 }] }));
    for (const suffix of [':R1', ':R2']) {
      await answerReservation(probe, (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId.endsWith(suffix))).value, 'reserved');
    }
    const transferWork = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.kind === 'TRANSFER')).value;
    expect(transferWork).toMatchObject({ locationId: 'WH-LYON', lines: [{ sku: 'SKU-W', quantity: 1 }, { sku: 'SKU-B', quantity: 1 }] });
    const counter = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.kind === 'PICKUP')).value;
    // The warehouse finds no SKU-W: nobody else holds one, so that unit is backordered.
    await fulfillmentEvent(probe, transferWork, 'PICKED', { 'SKU-W': 0 });
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.backordered?.some((line: { sku: string }) => line.sku === 'SKU-W'));
    // At the counter, one of the store's two units is found; SKU-B is still in the van.
    await fulfillmentEvent(probe, counter, 'PICKED', { 'SKU-W': 1, 'SKU-B': 0 });
    await orchestratorSettled(app, probe);
    const view = await call(url, 'GET', `/orders/${orderId}`);
    expect(view.body.allocations.find((a: { kind: string }) => a.kind === 'PICKUP')).toMatchObject({ lines: [{ sku: 'SKU-W', quantity: 1 }] });
    // One unit missing at the counter, the store's own, sought again: the transfer's unit stays awaited as it was.
    expect(view.body.timeline.at(-1).cause).toMatch(new RegExp(`^backordered 1 × SKU-W: short pick at ST-PARIS \\(${orderId}-C\\): 1 × SKU-W not found`));
    expect(commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment')).toHaveLength(0);
  });

  it('re-routes a transfer found short at its origin to another transfer, never to the pickup store whose counter is open, which could not gather it', async () => {
    const rerouteId = 'O-collect-transfer-short';
    await oneUnitEachSeen([['WH-LYON', 'SKU-V'], ['WH-MARSEILLE', 'SKU-V']]);
    await submit(probe, anOrder(rerouteId, { ...order, lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 5 }, { lineId: '2', sku: 'SKU-V', quantity: 1, unitPrice: 5 }] }));
    for (const suffix of [':R1', ':R2']) {
      await answerReservation(probe, (await command(probe, Topics.inventoryCommands, rerouteId, 'ReserveStock', (v) => v.reservationId.endsWith(suffix))).value, 'reserved');
    }
    const transferWork = (await command(probe, Topics.fulfillmentCommands, rerouteId, 'CreateFulfillment', (v) => v.kind === 'TRANSFER')).value;
    expect(transferWork).toMatchObject({ locationId: 'WH-LYON', lines: [{ sku: 'SKU-V', quantity: 1 }] });
    await command(probe, Topics.fulfillmentCommands, rerouteId, 'CreateFulfillment', (v) => v.kind === 'PICKUP');
    // The pickup store now holds the SKU too; the counter opened without it.
    await stocked('ST-PARIS', 'SKU-V', 3);
    const connection = app.get(MikroORM).em.getConnection();
    await waitFor(async () => (await connection.execute(`select count(*)::int as n from stock_view where sku = 'SKU-V' and location_id = 'ST-PARIS'`))[0].n === 1, { what: 'the view of SKU-V at ST-PARIS' });
    await fulfillmentEvent(probe, transferWork, 'PICKED', { 'SKU-V': 0 });
    const again = (await command(probe, Topics.inventoryCommands, rerouteId, 'ReserveStock', (v) => v.reservationId.endsWith(':R3'))).value;
    expect(again).toMatchObject({ locationId: 'WH-MARSEILLE', lines: [{ sku: 'SKU-V', quantity: 1 }] });
  });

  it('serves a unit backordered after its counter opened by a transfer, never by stock counted in at the pickup store, which the counter could not gather', async () => {
    const shortId = 'O-collect-counted-in';
    await stocked('ST-PARIS', 'SKU-Q', 1);
    const connection = app.get(MikroORM).em.getConnection();
    await waitFor(async () => (await connection.execute(`select count(*)::int as n from stock_view where sku = 'SKU-Q'`))[0].n === 1, { what: 'the view of SKU-Q' });
    await submit(probe, anOrder(shortId, { ...order, lines: [{ lineId: '1', sku: 'SKU-Q', quantity: 1, unitPrice: 1 }] }));
    await answerReservation(probe, (await command(probe, Topics.inventoryCommands, shortId, 'ReserveStock')).value, 'reserved');
    const counter = (await command(probe, Topics.fulfillmentCommands, shortId, 'CreateFulfillment', (v) => v.kind === 'PICKUP')).value;
    await fulfillmentEvent(probe, counter, 'PICKED', { 'SKU-Q': 0 });
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === shortId && m.value.backordered?.length > 0);

    await stocked('ST-PARIS', 'SKU-Q', 3);
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, shortId, 'ReserveStock')).toHaveLength(1);
    await stocked('WH-LYON', 'SKU-Q', 2);
    const transfer = (await command(probe, Topics.inventoryCommands, shortId, 'ReserveStock', (v) => v.reservationId.endsWith(':R2'))).value;
    expect(transfer).toMatchObject({ locationId: 'WH-LYON', lines: [{ sku: 'SKU-Q', quantity: 1 }] });
  });

  it('announces a store part held by a backorder retry before the counter opened once, not again with each later step', async () => {
    const twoPartsId = 'O-collect-two-store-parts';
    await oneUnitEachSeen([['ST-PARIS', 'SKU-M1']]);
    await submit(probe, anOrder(twoPartsId, { ...order, lines: [{ lineId: '1', sku: 'SKU-M1', quantity: 1, unitPrice: 1 }, { lineId: '2', sku: 'SKU-M2', quantity: 1, unitPrice: 1 }] }));
    await answerReservation(probe, (await command(probe, Topics.inventoryCommands, twoPartsId, 'ReserveStock')).value, 'reserved');
    await orderEvent(probe, twoPartsId, 'OrderPartiallyAllocated');
    // SKU-M2 arrives at the pickup store: the backorder retry holds it there, a second store part, and the counter opens.
    await stocked('ST-PARIS', 'SKU-M2', 1);
    const second = (await command(probe, Topics.inventoryCommands, twoPartsId, 'ReserveStock', (v) => v.reservationId.endsWith(':R2'))).value;
    expect(second).toMatchObject({ locationId: 'ST-PARIS', lines: [{ sku: 'SKU-M2', quantity: 1 }] });
    await answerReservation(probe, second, 'reserved');
    const counter = (await command(probe, Topics.fulfillmentCommands, twoPartsId, 'CreateFulfillment', (v) => v.kind === 'PICKUP')).value;
    expect(counter.ownLines).toEqual([{ sku: 'SKU-M1', quantity: 1 }, { sku: 'SKU-M2', quantity: 1 }]);

    // A count finds no SKU-M1 at the store: that part goes by transfer from Lyon, and the order announces that part alone.
    await stocked('WH-LYON', 'SKU-M1', 1);
    await shortage(probe, 'ST-PARIS', 'SKU-M1', [{ reservationId: `${twoPartsId}:R1`, orderId: twoPartsId, quantity: 1 }]);
    const transfer = (await command(probe, Topics.inventoryCommands, twoPartsId, 'ReserveStock', (v) => v.reservationId.endsWith(':R3'))).value;
    expect(transfer).toMatchObject({ locationId: 'WH-LYON', lines: [{ sku: 'SKU-M1', quantity: 1 }] });
    await answerReservation(probe, transfer, 'reserved');
    await command(probe, Topics.fulfillmentCommands, twoPartsId, 'CreateFulfillment', (v) => v.kind === 'TRANSFER');
    await orchestratorSettled(app, probe);
    const reallocations = orderEvents(probe, twoPartsId).map((m) => m.value.reason as string).filter((reason) => reason.startsWith('re-allocated'));
    expect(reallocations).toEqual(['re-allocated: PICKUP 1 × SKU-M2 from ST-PARIS', 're-allocated: TRANSFER 1 × SKU-M1 from WH-LYON']);
    // The second store part is worked on the counter, and says so.
    const shown = orderEvents(probe, twoPartsId).at(-1)!.value.allocations as { reservationId: string; fulfillmentId?: string }[];
    expect(shown.find((part) => part.reservationId === second.reservationId)?.fulfillmentId).toBe(counter.fulfillmentId);
  });

  it('calls off a transfer still to come when the counter hands the order over meanwhile (a count racing the hand-over), so that no stock stays held for a collected order', async () => {
    const orderId = 'O-collect-raced-count';
    await oneUnitEachSeen([['ST-PARIS', 'SKU-RC'], ['WH-LYON', 'SKU-RC']]);
    await submit(probe, anOrder(orderId, { ...order, lines: [{ lineId: '1', sku: 'SKU-RC', quantity: 1, unitPrice: 1 }] }));
    const local = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).value;
    expect(local.locationId).toBe('ST-PARIS');
    await answerReservation(probe, local, 'reserved');
    const counter = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.kind === 'PICKUP')).value;
    // A count finds the store short: its unit goes by transfer from Lyon, while the counter, not told yet, hands the order over.
    await shortage(probe, 'ST-PARIS', 'SKU-RC', [{ reservationId: local.reservationId, orderId, quantity: 1 }]);
    const transfer = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.reservationId.endsWith(':R2'))).value;
    expect(transfer.locationId).toBe('WH-LYON');
    await answerReservation(probe, transfer, 'reserved');
    const transferWork = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.kind === 'TRANSFER')).value;
    await fulfillmentEvent(probe, counter, 'READY_FOR_PICKUP');
    await fulfillmentEvent(probe, counter, 'COLLECTED');
    await orderEvent(probe, orderId, 'OrderCollected');
    const callOff = (await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment', (v) => v.fulfillmentId === transferWork.fulfillmentId)).value;
    expect(callOff.reason).toMatch(/collected at ST-PARIS/);
    await fulfillmentEvent(probe, transferWork, 'CANCELLED');
    const release = await command(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation', (v) => v.reservationId === transfer.reservationId);
    expect(release.value).toEqual({ reservationId: transfer.reservationId, orderId });
  });

  it('refuses an unknown pickup location or one without a counter', async () => {
    await submit(probe, anOrder('O-collect-nowhere', { ...order, pickupLocationId: 'ST-NOWHERE' }));
    expect((await orderEvent(probe, 'O-collect-nowhere', 'OrderRejected')).value.reason).toBe('UNKNOWN_PICKUP_LOCATION');
    await submit(probe, anOrder('O-collect-warehouse', { ...order, pickupLocationId: 'WH-LYON' }));
    expect((await orderEvent(probe, 'O-collect-warehouse', 'OrderRejected')).value.reason).toBe('PICKUP_NOT_OFFERED');
  });
});

describe('e-reservation', () => {
  const order = { deliveryMode: 'E_RESERVATION', shippingAddress: undefined, pickupLocationId: 'ST-PARIS', lines: [{ lineId: '1', sku: 'SKU-A', quantity: 3, unitPrice: 10 }] };

  it('reserves in the store with a TTL, is RESERVED, and EXPIRED when inventory lets the hold go', async () => {
    const orderId = 'O-ereserve';
    const reserve = await submitted(orderId, order);
    expect(reserve).toMatchObject({ locationId: 'ST-PARIS', ttlSeconds: 3600, lines: [{ sku: 'SKU-A', quantity: 3 }] });
    await answerReservation(probe, reserve, 'reserved');
    await orderEvent(probe, orderId, 'OrderReserved');
    const counter = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
    expect(counter).toMatchObject({ kind: 'PICKUP', locationId: 'ST-PARIS', reservationId: `${orderId}:R1` });
    expect(Date.parse(counter.expiresAt) - Date.now()).toBeGreaterThan(3_500_000);
    // Inventory gets the deadline itself, so that a hold it makes late still ends with the counter.
    expect(reserve.expiresAt).toBe(counter.expiresAt);
    await reservationEvent(probe, reserve, 'expired');
    const expired = await orderEvent(probe, orderId, 'OrderExpired');
    expect(expired.value.reason).toMatch(/not collected in time/);
    const cancel = await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment');
    expect(cancel.value.fulfillmentId).toBe(counter.fulfillmentId);
  });

  it('keeps its one deadline when moved to another store: the new hold lasts until the counter stops handing over', async () => {
    const orderId = 'O-ereserve-moved';
    await stocked('ST-LYON', 'SKU-A', 5);
    const reserve = await submitted(orderId, order);
    await answerReservation(probe, reserve, 'reserved');
    const counter = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await call(url, 'POST', `/orders/${orderId}/edit`, { pickupLocationId: 'ST-LYON' })).status).toBe(200);
    // The old counter is called off first; the hold moves once it is.
    await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment');
    await fulfillmentEvent(probe, counter, 'CANCELLED');
    const moved = (await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock', (v) => v.locationId === 'ST-LYON')).value;
    const heldUntil = Date.now() + moved.ttlSeconds * 1000;
    await answerReservation(probe, moved, 'reserved');
    const newCounter = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment', (v) => v.locationId === 'ST-LYON')).value;
    expect(newCounter.expiresAt).toBe(counter.expiresAt);
    expect(Math.abs(heldUntil - Date.parse(newCounter.expiresAt))).toBeLessThan(1_500);
  });

  it('keeps its hold while an edit waits for the counter to be called off: a collect racing the edit is committed, and a person looks', async () => {
    const orderId = 'O-ereserve-edit-raced';
    const reserve = await submitted(orderId, order);
    await answerReservation(probe, reserve, 'reserved');
    const counter = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
    expect((await call(url, 'POST', `/orders/${orderId}/edit`, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 4, unitPrice: 10 }] })).status).toBe(200);
    await command(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment');
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation')).toEqual([]);
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock')).toHaveLength(1);

    // The customer took the goods before the call-off reached the counter.
    await fulfillmentEvent(probe, counter, 'COLLECTED', {}, `cannot cancel fulfillment ${counter.fulfillmentId}: it is COLLECTED`);
    expect((await command(probe, Topics.inventoryCommands, orderId, 'CommitReservation')).value).toEqual({ reservationId: `${orderId}:R1`, orderId });
    await orderEvent(probe, orderId, 'OrderNeedsAttention');
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation')).toEqual([]);
  });

  it('is collected: COLLECTED, the stock consumed by fulfillment at the hand-over', async () => {
    const orderId = 'O-ereserve-collected';
    const reserve = await submitted(orderId, order);
    await answerReservation(probe, reserve, 'reserved');
    const counter = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
    await fulfillmentEvent(probe, counter, 'READY_FOR_PICKUP');
    await fulfillmentEvent(probe, counter, 'COLLECTED');
    await orderEvent(probe, orderId, 'OrderCollected');
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'RESERVED', 'READY_FOR_PICKUP', 'COLLECTED']);
    // The reservation rides on the counter: fulfillment commits it with the hand-over, the orchestrator does not send it again.
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, orderId, 'CommitReservation')).toEqual([]);
  });

  it('shows an order collected just as it expired as NEEDS_ATTENTION, saying what to check, once inventory has taken the units again', async () => {
    const orderId = 'O-ereserve-late';
    const reserve = await submitted(orderId, order);
    await answerReservation(probe, reserve, 'reserved');
    const counter = (await command(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).value;
    await fulfillmentEvent(probe, counter, 'READY_FOR_PICKUP');
    await orderEvent(probe, orderId, 'OrderReadyForPickup');
    // Inventory's sweep let the hold go before the collect's commit reached it, and the order expired...
    await reservationEvent(probe, reserve, 'expired');
    await orderEvent(probe, orderId, 'OrderExpired');
    // ...but the customer had been handed the goods: the commit that fulfillment sent makes inventory take them again.
    await fulfillmentEvent(probe, counter, 'COLLECTED');
    await reservationEvent(probe, reserve, 'committed');
    const attention = await orderEvent(probe, orderId, 'OrderNeedsAttention');
    expect(attention.value).toMatchObject({ status: 'NEEDS_ATTENTION', previousStatus: 'EXPIRED' });
    expect(attention.value.reason).toBe(
      `collected at ST-PARIS after the order expired: inventory took the units of ${orderId}:R1 (3 × SKU-A) out of stock again; make sure the customer paid for them at the till`,
    );
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'RESERVED', 'READY_FOR_PICKUP', 'EXPIRED', 'NEEDS_ATTENTION']);
    expect((await call(url, 'GET', `/orders/${orderId}`)).body.allocations[0].state).toBe('COMMITTED');
  });

  it('rejects with NOT_AVAILABLE_IN_STORE and the nearest stores that could serve it', async () => {
    await submit(probe, anOrder('O-ereserve-missing', { ...order, lines: [{ lineId: '1', sku: 'SKU-B', quantity: 2, unitPrice: 10 }] }));
    const rejected = await orderEvent(probe, 'O-ereserve-missing', 'OrderRejected');
    expect(rejected.value).toMatchObject({ reason: 'NOT_AVAILABLE_IN_STORE', detail: expect.stringMatching(/^NOT_AVAILABLE_IN_STORE: ST-PARIS cannot hold every line/) });
    expect(rejected.value.alternatives).toEqual([{ locationId: 'ST-LYON', distanceKm: expect.any(Number) }]);
  });
});

describe('cancellation', () => {
  it('cancels an allocated order over HTTP in its trace, releasing the reservation and calling off the fulfillment', async () => {
    const created = await allocated('O-cancel', {}, { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    const response = await call(url, 'POST', '/orders/O-cancel/cancel', { reason: 'customer changed their mind' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ orderId: 'O-cancel', status: 'CANCELLED' });
    expect(response.body.timeline.at(-1)).toMatchObject({ from: 'ALLOCATED', to: 'CANCELLED', cause: 'customer changed their mind' });

    const cancel = await command(probe, Topics.fulfillmentCommands, 'O-cancel', 'CancelFulfillment');
    expect(cancel.value).toEqual({ fulfillmentId: created.fulfillmentId, orderId: 'O-cancel', reason: 'customer changed their mind' });
    await fulfillmentEvent(probe, created, 'CANCELLED');
    const release = await command(probe, Topics.inventoryCommands, 'O-cancel', 'ReleaseReservation');
    expect(release.value).toEqual({ reservationId: 'O-cancel:R1', orderId: 'O-cancel' });
    const cancelled = await orderEvent(probe, 'O-cancel', 'OrderCancelled');
    expect(cancelled.value).toMatchObject({ status: 'CANCELLED', previousStatus: 'ALLOCATED', reason: 'customer changed their mind' });
    // The event's allocations are the live ones: the part being given back is not.
    expect(cancelled.value.allocations).toEqual([]);
    expect(traceIdOf(cancelled.headers.traceparent)).toBe(TRACE_ID);

    // A retry after a lost answer is answered like the first, and has no effect of its own.
    const again = await call(url, 'POST', '/orders/O-cancel/cancel', { reason: 'twice' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ orderId: 'O-cancel', status: 'CANCELLED' });
    expect(again.body.timeline.filter((step: { to: string }) => step.to === 'CANCELLED')).toHaveLength(1);
  });

  it("keeps a channel's CancelOrder and EditOrder, sent on Kafka without a trace of their own, in the order's trace", async () => {
    const created = await allocated('O-cancel-kafka', {}, { traceparent: `00-${TRACE_ID}-00f067aa0ba902b8-01` });
    await fulfillmentEvent(probe, created, 'CREATED');
    await sendEdit(probe, { editId: 'E-traced', orderId: 'O-cancel-kafka', lines: [{ lineId: '1', sku: 'SKU-A', quantity: 2, unitPrice: 12 }, { lineId: '2', sku: 'SKU-B', quantity: 1, unitPrice: 59 }] });
    const edited = await orderEvent(probe, 'O-cancel-kafka', 'OrderEdited');
    await sendCancel(probe, { orderId: 'O-cancel-kafka', reason: 'customer changed their mind' }, 'O-cancel-kafka');
    const cancel = await command(probe, Topics.fulfillmentCommands, 'O-cancel-kafka', 'CancelFulfillment');
    await fulfillmentEvent(probe, created, 'CANCELLED');
    const cancelled = await orderEvent(probe, 'O-cancel-kafka', 'OrderCancelled');
    expect([edited, cancel, cancelled].map((message) => traceIdOf(message.headers.traceparent))).toEqual([TRACE_ID, TRACE_ID, TRACE_ID]);
  });

  it('cancels a partially allocated order: nothing stays backordered, in the event or the order', async () => {
    const lines = [
      { lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1 },
      { lineId: '2', sku: 'SKU-NONE-EVER', quantity: 2, unitPrice: 1 },
    ];
    await answerReservation(probe, await submitted('O-cancel-partial', { lines }), 'reserved');
    await orderEvent(probe, 'O-cancel-partial', 'OrderPartiallyAllocated');
    expect((await call(url, 'POST', '/orders/O-cancel-partial/cancel', { reason: 'too long to wait' })).status).toBe(200);
    const cancelled = await orderEvent(probe, 'O-cancel-partial', 'OrderCancelled');
    expect(cancelled.value.backordered).toBeUndefined();
    expect((await call(url, 'GET', '/orders/O-cancel-partial')).body.backordered).toEqual([]);
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
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, 'O-shipped', 'ReleaseReservation')).toEqual([]);
    expect((await call(url, 'POST', '/orders/O-nope/cancel', { reason: 'x' })).status).toBe(404);
    expect((await call(url, 'POST', '/orders/O-shipped/cancel', { reason: '' })).status).toBe(400);
  });

  it('cancels over HTTP with no body, as PRODUCT.md names none: the reason says who asked', async () => {
    await allocated('O-cancel-no-body');
    const response = await call(url, 'POST', '/orders/O-cancel-no-body/cancel', undefined, testToken('ops'));
    expect(response.status).toBe(200);
    expect(response.body.timeline.at(-1)).toMatchObject({ to: 'CANCELLED', cause: expect.stringMatching(/^cancelled by /) });
    // An empty object is taken as no body too; the order is cancelled already, so it is answered as it is.
    const emptyObject = await call(url, 'POST', '/orders/O-cancel-no-body/cancel', {});
    expect(emptyObject).toMatchObject({ status: 200, body: { status: 'CANCELLED', timeline: response.body.timeline } });
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
    await sendCancel(probe, { orderId: 'O-cancel-early', reason: '' }, 'O-cancel-early');
    await probe.waitForMessage(Topics.dlq, (m) => m.key === 'O-cancel-early');
    expect(probe.messages(Topics.dlq, (m) => m.key === 'O-cancel-early').map((m) => m.value.reason)).toEqual([
      expect.stringMatching(/^invalid CancelOrder: reason/),
    ]);
    await orchestratorSettled(app, probe);
    expect(statusesOf('O-cancel-early')).toEqual(['RECEIVED', 'CANCELLED']);
    expect(commandsOf(probe, Topics.fulfillmentCommands, 'O-cancel-early', 'CreateFulfillment')).toEqual([]);
  });

  it('cancels on a CancelOrder without a reason, as over HTTP: the channel is named as the one who asked', async () => {
    await submitted('O-cancel-no-reason');
    await sendCancel(probe, { orderId: 'O-cancel-no-reason', reason: null }, 'O-cancel-no-reason');
    const cancelled = await orderEvent(probe, 'O-cancel-no-reason', 'OrderCancelled');
    expect(cancelled.value.reason).toBe('cancelled by the channel (no reason given)');
  });

  it('sends an invalid CancelOrder to the DLQ with the reason, and keeps one for an order not here yet', async () => {
    await sendCancel(probe, { orderId: 'O-unknown', reason: 'x' }, 'K-invalid-cancel');
    await sendCancel(probe, { orderId: 'O-happy', reason: 42 }, 'K-invalid-cancel');
    const invalid = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'K-invalid-cancel');
    expect(invalid.value.reason).toMatch(/invalid CancelOrder: reason/);
    // Behind the unknown order's CancelOrder on its partition: it was kept, not dead-lettered.
    const kept = await app.get(MikroORM).em.getConnection().execute(`select reason from pending_cancellation where order_id = 'O-unknown'`);
    expect(kept).toEqual([{ reason: 'x' }]);
    expect(probe.messages(Topics.dlq, (m) => m.key === 'K-invalid-cancel')).toHaveLength(1);
  });
});
