import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { startTracing, stopTracing } from '@fil/observability';
import { KafkaProbe, startService, useTestEnvironment, waitFor } from '@fil/testing';
import { ordersWithStepsResent } from '../src/orders/order-metrics';
import { anOrder, answerReservation, call, commandsOf, orchestratorSettled, fulfillmentEvent, location, networkKnown, orderEvent, orderEvents, reservationEvent, stockLevel, submit } from './support';

useTestEnvironment('orders-timeouts');
// Short deadlines so the test sees retries and compensations; inventory is played by the test, and stays silent.
process.env.FIL_SAGA_STEP_TIMEOUT_MS = '1000';
process.env.FIL_SAGA_POLL_MS = '100';
process.env.FIL_SAGA_MAX_ATTEMPTS = '2';
jest.setTimeout(60_000);
// Context propagation as in a service (nothing exported): what a sweep sends must stay in its order's trace.
process.env.FIL_TRACING = 'off';
startTracing('order-orchestrator-timeouts-test');

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;

const fulfillmentOf = async (orderId: string) =>
  (await waitFor(() => commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')[0], { what: `the fulfillment of ${orderId}` })).value;
const reservesOf = (orderId: string) => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReserveStock');
const releasesOf = (orderId: string) => commandsOf(probe, Topics.inventoryCommands, orderId, 'ReleaseReservation');
const statusesOf = (orderId: string) => orderEvents(probe, orderId).map((m) => m.value.status);

beforeAll(async () => {
  await probe.start([Topics.ordersEvents, Topics.inventoryCommands, Topics.fulfillmentCommands]);
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await location(probe, 'WH-NEAR', 45.76, 4.84);
  await location(probe, 'WH-FAR', 43.3, 5.37);
  await stockLevel(probe, 'WH-NEAR', 'SKU-A', 10);
  await stockLevel(probe, 'WH-FAR', 'SKU-A', 10);
  await networkKnown(app, 2, 2);
});

afterAll(async () => {
  await app?.close();
  await stopTracing();
  await probe.stop();
  await dropDatabase(databaseName('orders'));
});

const order = (orderId: string) => anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 3 }] });

/** The order waits for no answer any more, so no sweep will act on it; then everything sent has been handled and read. */
async function nothingPending(orderId: string): Promise<void> {
  const em = app.get<MikroORM>(MikroORM).em.fork();
  await waitFor(async () => (await em.execute(`select 1 from customer_order where order_id = ? and next_deadline is null`, [orderId])).length, {
    what: `${orderId} to wait for no answer`,
  });
  await orchestratorSettled(app, probe);
}

describe('what ops see of steps sent again', () => {
  it('counts the orders waiting on a command sent again, not those on a first send nor those answered', async () => {
    const orderId = 'O-resent-count';
    await submit(probe, order(orderId));
    await waitFor(() => reservesOf(orderId).length > 0, { what: `the reservation of ${orderId}` });
    const em = app.get<MikroORM>(MikroORM).em.fork();
    const step = (attempts: number, deadline: string | null) =>
      em.execute(
        `update customer_order set next_deadline = ?::timestamptz,
           allocations = jsonb_set(allocations, '{0}', (allocations->0) - 'deadline' || jsonb_build_object('attempts', ?::int) || coalesce(jsonb_build_object('deadline', ?::text), '{}'))
         where order_id = ?`,
        [deadline, attempts, deadline, orderId],
      );
    // Its deadline set an hour ahead, so that the sweep leaves the order as the test sets it.
    const later = new Date(Date.now() + 3_600_000).toISOString();
    await step(1, later);
    expect(await ordersWithStepsResent(em)).toBe(0);
    await step(2, later);
    expect(await ordersWithStepsResent(em)).toBe(1);
    await step(2, null);
    expect(await ordersWithStepsResent(em)).toBe(0);
  });
});

describe('steps that get no answer in time', () => {
  it('sends a reservation again, then waits for inventory in NEEDS_ATTENTION rather than routing elsewhere, and goes on by itself when inventory answers late', async () => {
    const orderId = 'O-silent';
    await submit(probe, order(orderId));
    const attention = await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    expect(attention.value.reason).toMatch(/^inventory never answered the reservation O-silent:R1 at WH-NEAR \(2 attempts\)/);
    const [first, again] = reservesOf(orderId);
    expect([first, again].map((m) => [m.value.reservationId, m.value.locationId])).toEqual([
      [`${orderId}:R1`, 'WH-NEAR'],
      [`${orderId}:R1`, 'WH-NEAR'],
    ]);
    // A new message each time: inventory's dedupe must not swallow the retry.
    expect(again.headers.ce_id).not.toBe(first.headers.ce_id);
    // Inventory is one service, and the order's commands share one partition: a re-route would wait on the same silence.
    await nothingPending(orderId);
    expect(reservesOf(orderId)).toHaveLength(2);
    expect(releasesOf(orderId)).toHaveLength(0);

    // Inventory comes back and holds the part where it was routed: the order goes on, allocated at WH-NEAR.
    await answerReservation(probe, first.value, 'reserved');
    const allocated = await orderEvent(probe, orderId, 'OrderAllocated');
    expect(allocated.value.allocations).toEqual([expect.objectContaining({ locationId: 'WH-NEAR' })]);
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'NEEDS_ATTENTION', 'RECEIVED', 'ALLOCATED']);
    const { body } = await call(url, 'GET', `/orders/${orderId}`);
    expect(body.routing).toHaveLength(1);
  });

  it("keeps the order's trace on what the deadline sweep sends: the reservation sent again", async () => {
    const orderId = 'O-silent-traced';
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await submit(probe, order(orderId), orderId, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    await waitFor(() => reservesOf(orderId).length === 2, { what: 'a send again', timeoutMs: 15_000 });
    expect(reservesOf(orderId).map((message) => message.headers.traceparent?.split('-')[1])).toEqual([traceId, traceId]);
  });

  it('puts a cancelled order whose release is never confirmed in NEEDS_ATTENTION, visibly', async () => {
    const orderId = 'O-stuck';
    await submit(probe, order(orderId));
    await waitFor(() => reservesOf(orderId).length === 1, { what: 'the reservation' });
    await answerReservation(probe, reservesOf(orderId)[0].value, 'reserved');
    await orderEvent(probe, orderId, 'OrderAllocated');
    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer called' })).status).toBe(200);
    await fulfillmentEvent(probe, await fulfillmentOf(orderId), 'CANCELLED');
    const attention = await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    expect(attention.value).toMatchObject({ status: 'NEEDS_ATTENTION', previousStatus: 'CANCELLED' });
    expect(attention.value.reason).toMatch(/inventory never confirmed releasing O-stuck:R1 at WH-NEAR \(2 attempts\)/);
    expect(releasesOf(orderId)).toHaveLength(2);
    expect(orderEvents(probe, orderId).map((m) => m.value.status)).toEqual(['RECEIVED', 'ALLOCATED', 'CANCELLED', 'NEEDS_ATTENTION']);
    // Ops find it in the list of orders needing attention.
    const listed = await call(url, 'GET', '/orders?status=NEEDS_ATTENTION');
    expect(listed.body.map((o: { orderId: string }) => o.orderId)).toContain(orderId);
  });

  it('leaves a cancelled order CANCELLED when inventory confirms the release in time', async () => {
    const orderId = 'O-released';
    await submit(probe, order(orderId));
    await waitFor(() => reservesOf(orderId).length === 1, { what: 'the reservation' });
    const reserve = reservesOf(orderId)[0].value;
    await answerReservation(probe, reserve, 'reserved');
    await orderEvent(probe, orderId, 'OrderAllocated');
    await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer called' });
    await fulfillmentEvent(probe, await fulfillmentOf(orderId), 'CANCELLED');
    await waitFor(() => releasesOf(orderId).length === 1, { what: 'the release' });
    await reservationEvent(probe, reserve, 'released');
    await waitFor(async () => (await call(url, 'GET', `/orders/${orderId}`)).body.allocationHistory[0].state === 'RELEASED', { what: 'the release to be recorded' });
    await nothingPending(orderId);
    expect(orderEvents(probe, orderId).map((m) => m.value.status)).toEqual(['RECEIVED', 'ALLOCATED', 'CANCELLED']);
    expect(releasesOf(orderId)).toHaveLength(1);
  });

  it('asks fulfillment again to call off work it does not answer for, then shows the order NEEDS_ATTENTION with the stock still held', async () => {
    const orderId = 'O-call-off-silent';
    await submit(probe, order(orderId));
    await waitFor(() => reservesOf(orderId).length === 1, { what: 'the reservation' });
    await answerReservation(probe, reservesOf(orderId)[0].value, 'reserved');
    await fulfillmentEvent(probe, await fulfillmentOf(orderId), 'CREATED');
    await waitFor(async () => (await call(url, 'GET', `/orders/${orderId}`)).body.allocations[0].fulfillmentStatus === 'CREATED', { what: 'the creation recorded' });
    expect((await call(url, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer called' })).status).toBe(200);
    const attention = await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    expect(attention.value.reason).toBe(`fulfillment never confirmed calling off ${orderId}-F1 at WH-NEAR (2 attempts): its stock is still held; to do: ask WH-NEAR whether the goods left`);
    const cancels = await waitFor(() => commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment').length === 2 && commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CancelFulfillment'), { what: 'both call-offs' });
    expect(cancels.map((m) => m.value.fulfillmentId)).toEqual([`${orderId}-F1`, `${orderId}-F1`]);
    expect(cancels[1].headers.ce_id).not.toBe(cancels[0].headers.ce_id);
    expect(releasesOf(orderId)).toEqual([]);
  });

  it('asks inventory again for its figures, then shows an order it never answered for as NEEDS_ATTENTION, neither allocated nor rejected', async () => {
    const orderId = 'O-check-silent';
    await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-UNSEEN', quantity: 1, unitPrice: 3 }] }));
    const attention = await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    expect(attention.value).toMatchObject({ previousStatus: 'RECEIVED', reason: 'inventory never answered whether it holds 1 × SKU-UNSEEN (2 attempts): they are neither allocated nor backordered' });
    const checks = await waitFor(() => commandsOf(probe, Topics.inventoryCommands, orderId, 'CheckAvailability').length === 2 && commandsOf(probe, Topics.inventoryCommands, orderId, 'CheckAvailability'), { what: 'both checks' });
    expect(checks.map((m) => m.value)).toEqual([1, 2].map(() => ({ requestId: `${orderId}:A1`, orderId, skus: ['SKU-UNSEEN'] })));
    expect(reservesOf(orderId)).toEqual([]);
  });

  it('asks fulfillment again when it does not confirm a fulfillment, then shows the order as NEEDS_ATTENTION', async () => {
    const orderId = 'O-no-fulfillment';
    await submit(probe, order(orderId));
    await waitFor(() => reservesOf(orderId).length === 1, { what: 'the reservation' });
    await answerReservation(probe, reservesOf(orderId)[0].value, 'reserved');
    const attention = await orderEvent(probe, orderId, 'OrderNeedsAttention', 15_000);
    expect(attention.value.reason).toMatch(/^fulfillment never confirmed creating O-no-fulfillment-F1 at WH-NEAR \(2 attempts\)/);
    const creates = commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment');
    expect(creates).toHaveLength(2);
    expect(creates[1].value).toEqual(creates[0].value);
    expect(creates[1].headers.ce_id).not.toBe(creates[0].headers.ce_id);
  });

  it('stops waiting once fulfillment announces the fulfillment', async () => {
    const orderId = 'O-fulfillment-ok';
    await submit(probe, order(orderId));
    await waitFor(() => reservesOf(orderId).length === 1, { what: 'the reservation' });
    await answerReservation(probe, reservesOf(orderId)[0].value, 'reserved');
    await waitFor(() => commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment').length === 1, { what: 'the fulfillment' });
    await fulfillmentEvent(probe, commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')[0].value, 'CREATED');
    await waitFor(async () => (await call(url, 'GET', `/orders/${orderId}`)).body.allocations[0].fulfillmentStatus === 'CREATED', { what: 'the creation recorded' });
    await nothingPending(orderId);
    expect(orderEvents(probe, orderId).map((m) => m.value.status)).toEqual(['RECEIVED', 'ALLOCATED']);
    expect(commandsOf(probe, Topics.fulfillmentCommands, orderId, 'CreateFulfillment')).toHaveLength(1);
  });
});

describe('an order whose deadline handling throws', () => {
  it('does not hold up the timeouts of the other orders, and ends in NEEDS_ATTENTION with the reason', async () => {
    await submit(probe, order('O-broken'));
    await waitFor(() => reservesOf('O-broken').length === 1, { what: 'the reservation' });
    // Data the saga cannot read: an availability check out of attempts whose lines are gone, due before any other.
    const broken = [{ requestId: 'O-broken:A1', lines: null, why: 'initial routing', purpose: 'route', attempts: 2, deadline: '2000-01-01T00:00:00.000Z' }];
    await app
      .get<MikroORM>(MikroORM)
      .em.fork()
      .execute(`update customer_order set availability_checks = ?::jsonb, next_deadline = '2000-01-01' where order_id = 'O-broken'`, [JSON.stringify(broken)]);
    for (const orderId of ['O-after-1', 'O-after-2']) await submit(probe, order(orderId));
    await waitFor(() => reservesOf('O-after-1').length === 2 && reservesOf('O-after-2').length === 2, {
      what: "the other orders' reservations sent again",
      timeoutMs: 15_000,
    });
    const attention = await orderEvent(probe, 'O-broken', 'OrderNeedsAttention', 30_000);
    expect(attention.value.reason).toMatch(/^the saga could not handle its overdue steps \(5 attempts, last: Cannot read properties of null/);
    expect((await call(url, 'GET', '/orders/O-broken')).body.status).toBe('NEEDS_ATTENTION');
  });
});
