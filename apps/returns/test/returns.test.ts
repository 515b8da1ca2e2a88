import { Logger, type INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { signToken } from '@fil/auth';
import { ORDER_EVENT_TYPES, Topics, type Allocation, type LocationRecord, type OrderEvent, type OrderStatus } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { startTracing, stopTracing } from '@fil/observability';
import { ceHeaders, KafkaProbe, settled, startService, useTestEnvironment, waitFor } from '@fil/testing';
import { OrderView } from '../src/orders/order-view.entity';

useTestEnvironment('returns');
// Propagation only, so the test can see the order's trace carried on (nothing is exported).
process.env.OTEL_TRACES_EXPORTER = 'none';
startTracing('returns-test');
jest.setTimeout(60_000);

const DAY_MS = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
const LINES = [
  { lineId: 'l1', sku: 'SHIRT', quantity: 2, unitPrice: 19.99 },
  { lineId: 'l2', sku: 'MUG', quantity: 1, unitPrice: 7.5 },
];

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;
let orm: MikroORM;

// Every line shipped whole from the warehouse unless a test says otherwise.
const SHIPPED_WHOLE: Allocation[] = [{ locationId: 'wh-1', kind: 'SHIP', lines: LINES.map(({ sku, quantity }) => ({ sku, quantity })) }];

/** Publishes an order event as the orchestrator would; returns its ce_id. */
async function sendOrderEvent(orderId: string, status: OrderStatus, occurredAt: string, allocations: Allocation[] = SHIPPED_WHOLE, lines = LINES, traceparent?: string): Promise<string> {
  const event: OrderEvent = { orderId, status, channel: 'web', currency: 'EUR', lines, allocations, occurredAt };
  const headers = ceHeaders('orders', ORDER_EVENT_TYPES[status]);
  await probe.send(Topics.ordersEvents, orderId, event, traceparent ? { ...headers, traceparent } : headers);
  return headers.ce_id;
}

/** A two-parcel order whose mug is delivered, as returns has seen it, the shirts still on their way. */
const SHIRTS: Allocation = { locationId: 'wh-1', kind: 'SHIP', lines: [{ sku: 'SHIRT', quantity: 2 }] };
const MUG: Allocation = { locationId: 'store-1', kind: 'SHIP', lines: [{ sku: 'MUG', quantity: 1 }] };
const delivered = (allocation: Allocation) => ({ ...allocation, fulfillmentStatus: 'DELIVERED' }) as Allocation;

async function firstParcelDelivered(orderId: string): Promise<void> {
  await sendOrderEvent(orderId, 'SHIPPED', daysAgo(1), [SHIRTS, delivered(MUG)]);
  await waitFor(async () => (await orm.em.fork().findOne(OrderView, { orderId }))?.delivered?.MUG === 1, { what: 'the first parcel seen delivered' });
}

const lastParcelDelivered = (orderId: string) => sendOrderEvent(orderId, 'DELIVERED', daysAgo(0), [delivered(SHIRTS), delivered(MUG)]);

/** Inventory announces a location, as returns learns of it. */
function sendLocation(id: string, type: 'WAREHOUSE' | 'STORE', pickup: boolean) {
  const record: LocationRecord = { id, name: id, type, lat: 45.76, lng: 4.85, ship: true, pickup, reserve: pickup, dailyCapacity: null, priority: null };
  return probe.send(Topics.locations, id, record, ceHeaders('inventory', 'LocationChanged'));
}

// Receipts need a staff token; an admin's unless a test says otherwise.
const ADMIN = signToken({ sub: 'returns-admin', role: 'admin' });

async function call(method: 'GET' | 'POST', path: string, body?: unknown, token: string | null = ADMIN): Promise<{ status: number; body: any }> {
  const response = await fetch(url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Outbox rows are the proof of "published once": the relay may only republish a row, never add one. */
async function outboxCount(topic: string, where: string, value: string): Promise<number> {
  const [{ n }] = await orm.em
    .fork()
    .execute<{ n: number }[]>(`select count(*)::int as n from outbox_message where topic = ? and ${where}`, [topic, value]);
  return n;
}

/** Everything returns was sent has been handled, and what it published has been read. */
const settle = () => settled(app, 'returns', [Topics.ordersEvents, Topics.returnsRequested, Topics.locations], probe);

beforeAll(async () => {
  await probe.start([Topics.refunds, Topics.inventoryAdjustments, Topics.dlq]);
  // Loaded after useTestEnvironment: the module reads the database name when it is evaluated.
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  orm = app.get(MikroORM);

  await sendOrderEvent('o-delivered', 'SHIPPED', daysAgo(3));
  await sendOrderEvent('o-delivered', 'DELIVERED', daysAgo(2));
  await sendOrderEvent('o-concurrent', 'DELIVERED', daysAgo(1));
  await sendOrderEvent('o-shipped', 'SHIPPED', daysAgo(1));
  await sendOrderEvent('o-old', 'DELIVERED', daysAgo(40));
  // One shirt of two was never delivered (a short pick nobody could replace): backordered.
  await sendOrderEvent('o-partial', 'DELIVERED', daysAgo(1), [{ locationId: 'wh-1', kind: 'SHIP', lines: [{ sku: 'SHIRT', quantity: 1 }, { sku: 'MUG', quantity: 1 }] }]);
  for (const id of ['store-1', 'store-2']) await sendLocation(id, 'STORE', true);
  await sendLocation('wh-1', 'WAREHOUSE', false);
  await sendLocation('store-no-counter', 'STORE', false);
  await waitFor(
    async () => {
      const views = await orm.em.fork().find(OrderView, {});
      const [{ n }] = await orm.em.fork().execute<{ n: number }[]>('select count(*)::int as n from location_view');
      return views.filter((view) => view.status === 'DELIVERED').length === 4 && views.length === 5 && n === 4;
    },
    { what: 'the order and location views to hold the test data' },
  );
});

afterAll(async () => {
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('returns'));
  await stopTracing();
});

describe('receiving a return', () => {
  it('refunds resellable and damaged units at the order price, restocks the resellable ones at a store that did not ship the order, and writes off the damaged ones', async () => {
    const requested = await call('POST', '/returns', {
      returnId: 'ret-1',
      orderId: 'o-delivered',
      lines: [
        { sku: 'SHIRT', quantity: 1, reason: 'TOO_SMALL' },
        { sku: 'MUG', quantity: 1 },
      ],
    });
    expect(requested).toMatchObject({ status: 201, body: { id: 'ret-1', returnId: 'ret-1', status: 'REQUESTED' } });

    const received = await call('POST', '/returns/ret-1/receive', {
      locationId: 'store-1',
      lines: [
        { sku: 'SHIRT', quantity: 1, condition: 'RESELLABLE' },
        { sku: 'MUG', quantity: 1, condition: 'DAMAGED' },
      ],
    });
    expect(received).toMatchObject({ status: 200, body: { status: 'REFUNDED', refund: { amount: 27.49 } } });

    const refund = await probe.waitForMessage(Topics.refunds, (m) => m.key === 'ret-1');
    expect(refund.headers).toMatchObject({ ce_type: 'RefundIssued', ce_id: 'refund-ret-1' });
    expect(refund.value).toEqual({
      refundId: 'refund-ret-1',
      returnId: 'ret-1',
      orderId: 'o-delivered',
      amount: 27.49,
      currency: 'EUR',
      lines: [
        { sku: 'SHIRT', quantity: 1, condition: 'RESELLABLE', unitPrice: 19.99, amount: 19.99 },
        { sku: 'MUG', quantity: 1, condition: 'DAMAGED', unitPrice: 7.5, amount: 7.5 },
      ],
    });

    const restock = await probe.waitForMessage(Topics.inventoryAdjustments, (m) => m.key === 'store-1:SHIRT');
    expect(restock.headers.ce_type).toBe('StockAdjustment');
    expect(restock.value).toEqual({
      adjustmentId: 'return-SHIRT:ret-1',
      locationId: 'store-1',
      sku: 'SHIRT',
      mode: 'DELTA',
      quantity: 1,
      reason: 'RETURN_RESELLABLE',
    });
    expect(await outboxCount(Topics.inventoryAdjustments, `payload::jsonb->>'adjustmentId' like ?`, 'return-%:ret-1')).toBe(1);
    expect(probe.messages(Topics.inventoryAdjustments, (m) => m.key === 'store-1:MUG')).toHaveLength(0);

    const shown = await call('GET', '/returns/ret-1');
    expect(shown.body).toMatchObject({
      status: 'REFUNDED',
      lines: [
        { sku: 'SHIRT', quantity: 1, reason: 'TOO_SMALL' },
        { sku: 'MUG', quantity: 1 },
      ],
      inspection: [
        { sku: 'SHIRT', quantity: 1, condition: 'RESELLABLE' },
        { sku: 'MUG', quantity: 1, condition: 'DAMAGED' },
      ],
      receivedLocationId: 'store-1',
      writtenOff: [{ sku: 'MUG', quantity: 1, locationId: 'store-1' }],
      refund: { refundId: 'refund-ret-1', amount: 27.49 },
    });
  });

  it('answers a receipt posted twice with the current state and still refunds once; a different receipt is a conflict', async () => {
    const receipt = {
      locationId: 'store-1',
      lines: [
        { sku: 'MUG', quantity: 1, condition: 'DAMAGED' },
        { sku: 'SHIRT', quantity: 1, condition: 'RESELLABLE' },
      ],
    };
    const again = await call('POST', '/returns/ret-1/receive', receipt);
    expect(again).toMatchObject({ status: 200, body: { status: 'REFUNDED', refund: { refundId: 'refund-ret-1' } } });

    const different = await call('POST', '/returns/ret-1/receive', { ...receipt, locationId: 'store-2' });
    expect(different.status).toBe(409);

    expect(await outboxCount(Topics.refunds, 'message_key = ?', 'ret-1')).toBe(1);
    await settle();
    expect(probe.messages(Topics.refunds, (m) => m.key === 'ret-1')).toHaveLength(1);
    expect(probe.messages(Topics.inventoryAdjustments, (m) => m.value?.adjustmentId?.endsWith(':ret-1'))).toHaveLength(1);
  });

  it('issues one refund when the same receipt is posted concurrently', async () => {
    const requested = await call('POST', '/returns', { returnId: 'ret-2', orderId: 'o-concurrent', lines: [{ sku: 'SHIRT', quantity: 2 }] });
    expect(requested.status).toBe(201);

    const receipt = { locationId: 'wh-1', lines: [{ sku: 'SHIRT', quantity: 2, condition: 'RESELLABLE' }] };
    const answers = await Promise.all(Array.from({ length: 5 }, () => call('POST', '/returns/ret-2/receive', receipt)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    for (const answer of answers) expect(answer.body.refund).toMatchObject({ refundId: 'refund-ret-2', amount: 39.98 });

    expect(await outboxCount(Topics.refunds, 'message_key = ?', 'ret-2')).toBe(1);
    await probe.waitForMessage(Topics.refunds, (m) => m.key === 'ret-2');
    await settle();
    expect(probe.messages(Topics.refunds, (m) => m.key === 'ret-2')).toHaveLength(1);
    expect(probe.messages(Topics.inventoryAdjustments, (m) => m.key === 'wh-1:SHIRT')).toHaveLength(1);
  });

  it('lets one of two different receipts racing for the same return win: one refund, one restock, the other a conflict', async () => {
    await sendOrderEvent('o-race', 'DELIVERED', daysAgo(1));
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-race' }).then((view) => view ?? undefined), { what: 'the order view' });
    expect((await call('POST', '/returns', { returnId: 'ret-race', orderId: 'o-race', lines: [{ sku: 'SHIRT', quantity: 2 }] })).status).toBe(201);
    const [atStore, atWarehouse] = await Promise.all([
      call('POST', '/returns/ret-race/receive', { locationId: 'store-2', lines: [{ sku: 'SHIRT', quantity: 2, condition: 'RESELLABLE' }] }),
      call('POST', '/returns/ret-race/receive', { locationId: 'wh-1', lines: [{ sku: 'SHIRT', quantity: 2, condition: 'DAMAGED' }] }),
    ]);
    expect([atStore.status, atWarehouse.status].sort()).toEqual([200, 409]);
    const winner = atStore.status === 200 ? atStore.body : atWarehouse.body;
    expect(await outboxCount(Topics.refunds, 'message_key = ?', 'ret-race')).toBe(1);
    const restocks = await outboxCount(Topics.inventoryAdjustments, `payload::jsonb->>'adjustmentId' like ?`, 'return-%:ret-race');
    expect(restocks).toBe(winner.receivedLocationId === 'store-2' ? 1 : 0);
    expect((await call('GET', '/returns/ret-race')).body).toMatchObject({ status: 'REFUNDED', receivedLocationId: winner.receivedLocationId });
  });

  it('refunds a SKU the order has on two lines at the price of each line, even for two returns received at once', async () => {
    const lines = [
      { lineId: 'l1', sku: 'SHIRT', quantity: 1, unitPrice: 10 },
      { lineId: 'l2', sku: 'SHIRT', quantity: 1, unitPrice: 30 },
    ];
    await sendOrderEvent('o-two-prices', 'DELIVERED', daysAgo(1), [{ locationId: 'wh-1', kind: 'SHIP', lines: [{ sku: 'SHIRT', quantity: 2 }] }], lines);
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-two-prices' }).then((view) => view ?? undefined), { what: 'the order view' });
    for (const returnId of ['ret-price-a', 'ret-price-b']) {
      expect((await call('POST', '/returns', { returnId, orderId: 'o-two-prices', lines: [{ sku: 'SHIRT', quantity: 1 }] })).status).toBe(201);
    }
    const receipt = { locationId: 'wh-1', lines: [{ sku: 'SHIRT', quantity: 1, condition: 'DAMAGED' }] };
    const received = await Promise.all(['ret-price-a', 'ret-price-b'].map((returnId) => call('POST', `/returns/${returnId}/receive`, receipt)));
    expect(received.map(({ status }) => status)).toEqual([200, 200]);
    expect(received.map(({ body }) => body.refund.amount).sort((a, b) => a - b)).toEqual([10, 30]);
  });

  it('restocks two returns whose ids and SKUs run together (RCx + S-A, RCx-S + A) under two adjustment ids, so inventory applies both', async () => {
    const lines = [
      { lineId: 'l1', sku: 'S-A', quantity: 1, unitPrice: 5 },
      { lineId: 'l2', sku: 'A', quantity: 1, unitPrice: 5 },
    ];
    await sendOrderEvent('o-run-together', 'DELIVERED', daysAgo(1), [{ locationId: 'wh-1', kind: 'SHIP', lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) }], lines);
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-run-together' }).then((view) => view ?? undefined), { what: 'the order view' });
    for (const [returnId, sku] of [['RCx', 'S-A'], ['RCx-S', 'A']]) {
      expect((await call('POST', '/returns', { returnId, orderId: 'o-run-together', lines: [{ sku, quantity: 1 }] })).status).toBe(201);
      expect((await call('POST', `/returns/${returnId}/receive`, { locationId: 'wh-1', lines: [{ sku, quantity: 1, condition: 'RESELLABLE' }] })).status).toBe(200);
    }
    const restocks = await orm.em
      .fork()
      .execute<{ id: string }[]>(`select payload::jsonb->>'adjustmentId' as id from outbox_message where topic = ? and payload::jsonb->>'sku' in ('S-A', 'A')`, [Topics.inventoryAdjustments]);
    expect(new Set(restocks.map(({ id }) => id)).size).toBe(2);
  });

  it('refuses a receipt of a sku that is not on the return', async () => {
    await call('POST', '/returns', { returnId: 'ret-sku', orderId: 'o-concurrent', lines: [{ sku: 'MUG', quantity: 1 }] });
    const refused = await call('POST', '/returns/ret-sku/receive', {
      locationId: 'wh-1',
      lines: [{ sku: 'SHIRT', quantity: 1, condition: 'RESELLABLE' }],
    });
    expect(refused).toMatchObject({ status: 422, body: { reason: 'SKU_NOT_ON_RETURN' } });
    expect((await call('GET', '/returns/ret-sku')).body.status).toBe('REQUESTED');
  });
});

describe('where and by whom a return is received', () => {
  it('refuses a location that cannot receive returns, or that it does not know, and changes nothing', async () => {
    expect((await call('POST', '/returns', { returnId: 'ret-where', orderId: 'o-partial', lines: [{ sku: 'MUG', quantity: 1 }] })).status).toBe(201);
    const receipt = { lines: [{ sku: 'MUG', quantity: 1, condition: 'RESELLABLE' }] };
    const noCounter = await call('POST', '/returns/ret-where/receive', { ...receipt, locationId: 'store-no-counter' });
    expect(noCounter).toMatchObject({ status: 422, body: { reason: 'LOCATION_CANNOT_RECEIVE' } });
    const unknown = await call('POST', '/returns/ret-where/receive', { ...receipt, locationId: 'store-nowhere' });
    expect(unknown).toMatchObject({ status: 422, body: { reason: 'UNKNOWN_LOCATION' } });
    expect((await call('GET', '/returns/ret-where')).body.status).toBe('REQUESTED');
  });

  it('needs a staff token for the receiving location: 401 without, 403 for another store whether the return exists or not, 200 for its own staff', async () => {
    const receipt = { locationId: 'store-1', lines: [{ sku: 'MUG', quantity: 1, condition: 'RESELLABLE' }] };
    expect((await call('POST', '/returns/ret-where/receive', receipt, null)).status).toBe(401);
    const sam = signToken({ sub: 'sam', role: 'staff', locations: ['store-2'] });
    const otherStore = await call('POST', '/returns/ret-where/receive', receipt, sam);
    const noSuchReturn = await call('POST', '/returns/ret-nowhere/receive', receipt, sam);
    expect(otherStore).toEqual({ status: 403, body: expect.objectContaining({ message: 'this token may not receive returns at that location' }) });
    expect(noSuchReturn).toEqual(otherStore);
    const ownStaff = await call('POST', '/returns/ret-where/receive', receipt, signToken({ sub: 'lea', role: 'staff', locations: ['store-1'] }));
    expect(ownStaff).toMatchObject({ status: 200, body: { status: 'REFUNDED', receivedLocationId: 'store-1' } });
    // Received, the return is store-1's: another store's staff are answered as for no return at all.
    expect((await call('GET', '/returns/ret-where', undefined, sam)).status).toBe(404);
    expect((await call('GET', '/returns/ret-where', undefined, signToken({ sub: 'lea', role: 'staff', locations: ['store-1'] }))).status).toBe(200);
    // Nor does a receipt at their own store tell them it exists.
    const atOwnStore = { ...receipt, locationId: 'store-2' };
    const receivedElsewhere = await call('POST', '/returns/ret-where/receive', atOwnStore, sam);
    expect(receivedElsewhere).toEqual({ status: 404, body: expect.objectContaining({ message: 'return ret-where not found' }) });
    expect((await call('POST', '/returns/ret-nowhere/receive', atOwnStore, sam)).status).toBe(404);
  });
});

describe("a location's returns", () => {
  const atStore1 = signToken({ sub: 'lea', role: 'staff', locations: ['store-1'] });
  const isAt = (location: string) => (ret: any) => ret.receivedLocationId === location || (!ret.receivedLocationId && ret.expectedLocationId === location);

  beforeAll(async () => {
    for (const orderId of ['o-list-1', 'o-list-2', 'o-list-3']) await sendOrderEvent(orderId, 'DELIVERED', daysAgo(1));
    await waitFor(async () => (await orm.em.fork().count(OrderView, { orderId: { $in: ['o-list-1', 'o-list-2', 'o-list-3'] } })) === 3, { what: 'the listed orders in the view' });
    expect((await call('POST', '/returns', { returnId: 'ret-list-a', orderId: 'o-list-1', locationId: 'store-1', lines: [{ sku: 'MUG', quantity: 1 }] })).status).toBe(201);
    expect((await call('POST', '/returns', { returnId: 'ret-list-b', orderId: 'o-list-2', locationId: 'store-2', lines: [{ sku: 'MUG', quantity: 1 }] })).status).toBe(201);
    expect((await call('POST', '/returns', { returnId: 'ret-list-c', orderId: 'o-list-3', lines: [{ sku: 'MUG', quantity: 1 }] })).status).toBe(201);
  });

  it("lists to staff, oldest first, the returns expected at their own locations only; another location's list is a 403", async () => {
    const own = await call('GET', '/returns', undefined, atStore1);
    expect(own.status).toBe(200);
    const ids = own.body.map((ret: any) => ret.id);
    expect(ids).toContain('ret-list-a');
    expect(ids).not.toContain('ret-list-b');
    expect(ids).not.toContain('ret-list-c');
    expect(own.body.every(isAt('store-1'))).toBe(true);
    const created = own.body.map((ret: any) => ret.createdAt);
    expect(created).toEqual([...created].sort());
    expect((await call('GET', '/returns?locationId=store-1&status=REQUESTED', undefined, atStore1)).body.map((ret: any) => ret.id)).toContain('ret-list-a');
    expect(await call('GET', '/returns?locationId=store-2', undefined, atStore1)).toMatchObject({ status: 403, body: { message: "this token may not see that location's returns" } });
    expect((await call('GET', '/returns', undefined, signToken({ sub: 'web-shop', role: 'channel', channels: ['web'] }))).status).toBe(403);
    expect((await call('GET', '/returns', undefined, null)).status).toBe(401);
  });

  it('moves a return received elsewhere to the list of the location that received it', async () => {
    const received = await call('POST', '/returns/ret-list-a/receive', { locationId: 'store-2', lines: [{ sku: 'MUG', quantity: 1, condition: 'RESELLABLE' }] });
    expect(received).toMatchObject({ status: 200, body: { status: 'REFUNDED', expectedLocationId: 'store-1', receivedLocationId: 'store-2' } });
    expect((await call('GET', '/returns?locationId=store-1', undefined, atStore1)).body.map((ret: any) => ret.id)).not.toContain('ret-list-a');
    const atStore2 = await call('GET', '/returns?locationId=store-2&status=REFUNDED,REQUESTED');
    expect(atStore2.body.map((ret: any) => ret.id)).toEqual(expect.arrayContaining(['ret-list-a', 'ret-list-b']));
    expect(atStore2.body.every(isAt('store-2'))).toBe(true);
    const stillToReceive = await call('GET', '/returns?locationId=store-2&status=REQUESTED');
    expect(stillToReceive.body.map((ret: any) => ret.id)).toContain('ret-list-b');
    expect(stillToReceive.body.map((ret: any) => ret.status)).toEqual(stillToReceive.body.map(() => 'REQUESTED'));
  });

  it('lets ops narrow by order, and refuses an unknown status or a location that is no plain id with 400', async () => {
    expect((await call('GET', '/returns?orderId=o-list-3')).body.map((ret: any) => ret.id)).toEqual(['ret-list-c']);
    expect(await call('GET', '/returns?status=LOST')).toMatchObject({ status: 400, body: { message: [expect.stringContaining('status must be one or more of REQUESTED')] } });
    expect((await call('GET', '/returns?locationId=no%20such')).status).toBe(400);
  });

  it('refuses a request expected at a location that cannot receive returns or that it does not know, and a changed location for the same returnId', async () => {
    await sendOrderEvent('o-list-4', 'DELIVERED', daysAgo(1));
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-list-4' }).then((view) => view ?? undefined));
    const request = { returnId: 'ret-list-d', orderId: 'o-list-4', lines: [{ sku: 'MUG', quantity: 1 }] };
    expect(await call('POST', '/returns', { ...request, locationId: 'store-no-counter' })).toMatchObject({ status: 422, body: { reason: 'LOCATION_CANNOT_RECEIVE' } });
    expect(await call('POST', '/returns', { ...request, locationId: 'store-nowhere' })).toMatchObject({ status: 422, body: { reason: 'UNKNOWN_LOCATION' } });
    expect((await call('POST', '/returns', { ...request, locationId: 'a b' })).status).toBe(400);
    expect((await call('POST', '/returns', { ...request, locationId: 'wh-1' })).status).toBe(201);
    expect((await call('POST', '/returns', { ...request, locationId: 'wh-1' })).status).toBe(200);
    expect((await call('POST', '/returns', { ...request, locationId: 'store-1' })).status).toBe(409);
    expect((await call('POST', '/returns', request)).status).toBe(409);
  });
});

describe('requesting a return', () => {
  it('refuses more than was delivered when part of the order never reached the customer', async () => {
    const refused = await call('POST', '/returns', { orderId: 'o-partial', lines: [{ sku: 'SHIRT', quantity: 2 }] });
    expect(refused).toMatchObject({ status: 422, body: { reason: 'QUANTITY_EXCEEDED' } });
    expect(refused.body.message).toBe('sku SHIRT: 2 requested but only 1 of 1 delivered may still be returned');
    expect((await call('POST', '/returns', { orderId: 'o-partial', lines: [{ sku: 'SHIRT', quantity: 1 }] })).status).toBe(201);
  });

  it('refuses more than was ordered minus what other returns already claim', async () => {
    // ret-1 already claims 1 of the 2 shirts of o-delivered.
    const tooMany = await call('POST', '/returns', { orderId: 'o-delivered', lines: [{ sku: 'SHIRT', quantity: 2 }] });
    expect(tooMany).toMatchObject({ status: 422, body: { reason: 'QUANTITY_EXCEEDED' } });
    expect(tooMany.body.message).toContain('SHIRT');

    const rest = await call('POST', '/returns', { orderId: 'o-delivered', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(rest).toMatchObject({ status: 201, body: { status: 'REQUESTED' } });
    expect(rest.body.id).toMatch(/^[0-9a-f-]{36}$/);

    const oneMore = await call('POST', '/returns', { orderId: 'o-delivered', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(oneMore).toMatchObject({ status: 422, body: { reason: 'QUANTITY_EXCEEDED' } });
  });

  it('counts what came back, not what was asked for, once a return is received: units not returned may be asked for again', async () => {
    await sendOrderEvent('o-came-back', 'DELIVERED', daysAgo(1));
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-came-back' }).then((view) => view ?? undefined));
    const both = { orderId: 'o-came-back', lines: [{ sku: 'SHIRT', quantity: 2 }] };
    expect((await call('POST', '/returns', { ...both, returnId: 'ret-came-back-1' })).status).toBe(201);
    const receipt = { locationId: 'wh-1', lines: [{ sku: 'SHIRT', quantity: 1, condition: 'RESELLABLE' }, { sku: 'SHIRT', quantity: 1, condition: 'NOT_RETURNED' }] };
    expect((await call('POST', '/returns/ret-came-back-1/receive', receipt)).status).toBe(200);

    const again = await call('POST', '/returns', { orderId: 'o-came-back', returnId: 'ret-came-back-2', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(again).toMatchObject({ status: 201, body: { status: 'REQUESTED' } });
    // One shirt came back, the other is asked for: none is left.
    const third = await call('POST', '/returns', { orderId: 'o-came-back', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(third).toMatchObject({ status: 422, body: { reason: 'QUANTITY_EXCEEDED', message: 'sku SHIRT: 1 requested but only 0 of 2 delivered may still be returned' } });
  });

  it('refuses a sku that is not on the order', async () => {
    const refused = await call('POST', '/returns', { orderId: 'o-concurrent', lines: [{ sku: 'HAT', quantity: 1 }] });
    expect(refused).toMatchObject({ status: 422, body: { reason: 'SKU_NOT_ON_ORDER' } });
  });

  it("lets a channel return its own orders only: another channel's order is answered as unknown", async () => {
    const web = signToken({ sub: 'web-shop', role: 'channel', channels: ['web'] });
    const marketplace = signToken({ sub: 'marketplace', role: 'channel', channels: ['marketplace'] });
    await sendOrderEvent('o-channel', 'DELIVERED', daysAgo(1));
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-channel' }).then((view) => view ?? undefined));
    const request = { returnId: 'ret-channel', orderId: 'o-channel', lines: [{ sku: 'SHIRT', quantity: 1 }] };
    const foreign = await call('POST', '/returns', request, marketplace);
    const unknown = await call('POST', '/returns', { ...request, orderId: 'o-unknown' }, marketplace);
    expect(foreign).toMatchObject({ status: 404, body: { reason: 'UNKNOWN_ORDER', message: 'order o-channel is not known to returns' } });
    expect(unknown).toMatchObject({ status: 404, body: { reason: 'UNKNOWN_ORDER' } });
    expect((await call('GET', '/returns/ret-channel')).status).toBe(404);
    expect((await call('POST', '/returns', request, web)).status).toBe(201);
    expect((await call('GET', '/returns/ret-channel', undefined, web)).status).toBe(200);
    expect((await call('GET', '/returns/ret-channel', undefined, marketplace))).toMatchObject({ status: 404, body: { message: 'return ret-channel not found' } });
  });

  it("lets staff take a return at their counter, expected at their store, but not at another store's", async () => {
    await sendOrderEvent('o-counter', 'DELIVERED', daysAgo(1));
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-counter' }).then((view) => view ?? undefined));
    const lea = signToken({ sub: 'lea', role: 'staff', locations: ['store-1'] });
    const request = { returnId: 'ret-counter', orderId: 'o-counter', lines: [{ sku: 'MUG', quantity: 1 }] };
    expect(await call('POST', '/returns', { ...request, locationId: 'store-2' }, lea)).toMatchObject({ status: 403, body: { message: 'this token may not take returns at that location' } });
    expect(await call('POST', '/returns', request, lea)).toMatchObject({ status: 201, body: { id: 'ret-counter', status: 'REQUESTED', expectedLocationId: 'store-1' } });
    expect((await call('GET', '/returns?locationId=store-1', undefined, lea)).body.map((ret: any) => ret.id)).toContain('ret-counter');
    const received = await call('POST', '/returns/ret-counter/receive', { locationId: 'store-1', lines: [{ sku: 'MUG', quantity: 1, condition: 'RESELLABLE' }] }, lea);
    expect(received).toMatchObject({ status: 200, body: { status: 'REFUNDED', receivedLocationId: 'store-1' } });
  });

  it('refuses a return for an order it has never seen', async () => {
    const refused = await call('POST', '/returns', { orderId: 'o-unknown', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(refused).toMatchObject({ status: 404, body: { reason: 'UNKNOWN_ORDER' } });
  });

  it('takes back the units of a parcel delivered while another is still on its way, and only those', async () => {
    const shirts: Allocation = { locationId: 'wh-1', kind: 'SHIP', lines: [{ sku: 'SHIRT', quantity: 2 }] };
    const mug: Allocation = { locationId: 'store-1', kind: 'SHIP', lines: [{ sku: 'MUG', quantity: 1 }] };
    await sendOrderEvent('o-parcels', 'SHIPPED', daysAgo(2), [shirts, mug]);
    await sendOrderEvent('o-parcels', 'SHIPPED', daysAgo(1), [shirts, { ...mug, fulfillmentStatus: 'DELIVERED' } as Allocation]);
    await waitFor(async () => (await orm.em.fork().findOne(OrderView, { orderId: 'o-parcels' }))?.delivered?.MUG === 1, { what: 'the delivered parcel seen' });

    const shirt = await call('POST', '/returns', { orderId: 'o-parcels', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(shirt).toMatchObject({ status: 422, body: { reason: 'ORDER_NOT_DELIVERED', message: 'sku SHIRT: 1 requested but only 0 delivered so far: order o-parcels is SHIPPED, the rest on its way' } });
    expect((await call('POST', '/returns', { orderId: 'o-parcels', lines: [{ sku: 'MUG', quantity: 1 }] })).status).toBe(201);
  });

  it('takes back the units that reached the customer though the order was cancelled (a cancel racing the ship), and refuses a cancelled order whose goods never left', async () => {
    const parcel: Allocation = { locationId: 'wh-1', kind: 'SHIP', lines: [{ sku: 'SHIRT', quantity: 2 }] };
    await sendOrderEvent('o-cancel-raced', 'CANCELLED', daysAgo(3), [parcel]);
    await sendOrderEvent('o-cancel-raced', 'NEEDS_ATTENTION', daysAgo(2), [{ ...parcel, fulfillmentStatus: 'SHIPPED' } as Allocation]);
    await sendOrderEvent('o-cancel-raced', 'NEEDS_ATTENTION', daysAgo(1), [{ ...parcel, fulfillmentStatus: 'DELIVERED' } as Allocation]);
    await sendOrderEvent('o-cancel-clean', 'CANCELLED', daysAgo(1), []);
    await waitFor(async () => (await orm.em.fork().findOne(OrderView, { orderId: 'o-cancel-raced' }))?.delivered?.SHIRT === 2, { what: 'the parcel seen at the customer' });
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-cancel-clean' }).then((view) => view ?? undefined), { what: 'the cancelled order' });

    expect((await call('POST', '/returns', { orderId: 'o-cancel-raced', lines: [{ sku: 'SHIRT', quantity: 2 }] })).status).toBe(201);
    const mug = await call('POST', '/returns', { orderId: 'o-cancel-raced', lines: [{ sku: 'MUG', quantity: 1 }] });
    expect(mug).toMatchObject({ status: 422, body: { reason: 'QUANTITY_EXCEEDED' } });
    const clean = await call('POST', '/returns', { orderId: 'o-cancel-clean', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(clean).toMatchObject({ status: 422, body: { reason: 'ORDER_NOT_DELIVERED', message: 'order o-cancel-clean is CANCELLED, not delivered or collected' } });
  });

  it('takes back the units of a parcel delivered before the rest of the order was rejected (shortage under a REJECT policy)', async () => {
    const delivered: Allocation = { locationId: 'wh-1', kind: 'SHIP', lines: [{ sku: 'SHIRT', quantity: 2 }] };
    await sendOrderEvent('o-rejected-late', 'IN_FULFILLMENT', daysAgo(2), [{ ...delivered, fulfillmentStatus: 'DELIVERED' } as Allocation]);
    await sendOrderEvent('o-rejected-late', 'REJECTED', daysAgo(1), [{ ...delivered, fulfillmentStatus: 'DELIVERED' } as Allocation]);
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-rejected-late', status: 'REJECTED' }).then((view) => view ?? undefined), { what: 'the rejected order' });
    expect((await call('POST', '/returns', { orderId: 'o-rejected-late', lines: [{ sku: 'SHIRT', quantity: 2 }] })).status).toBe(201);
    await sendOrderEvent('o-rejected-clean', 'REJECTED', daysAgo(1), []);
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-rejected-clean' }).then((view) => view ?? undefined), { what: 'the order rejected at once' });
    const clean = await call('POST', '/returns', { orderId: 'o-rejected-clean', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(clean).toMatchObject({ status: 422, body: { reason: 'ORDER_NOT_DELIVERED' } });
  });

  it('refuses a return for an order that is not delivered', async () => {
    const refused = await call('POST', '/returns', { orderId: 'o-shipped', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(refused).toMatchObject({ status: 422, body: { reason: 'ORDER_NOT_DELIVERED' } });
  });

  it('answers a return of an order already RETURNED with what is left to return (nothing), not as undelivered', async () => {
    await sendOrderEvent('o-all-back', 'DELIVERED', daysAgo(3));
    await sendOrderEvent('o-all-back', 'RETURNED', daysAgo(1));
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-all-back', status: 'RETURNED' }).then((view) => view ?? undefined), { what: 'the returned order' });
    await call('POST', '/returns', { returnId: 'ret-all-back', orderId: 'o-all-back', lines: LINES.map(({ sku, quantity }) => ({ sku, quantity })) });
    const again = await call('POST', '/returns', { orderId: 'o-all-back', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(again).toMatchObject({ status: 422, body: { reason: 'QUANTITY_EXCEEDED', message: 'sku SHIRT: 1 requested but only 0 of 2 delivered may still be returned' } });
  });

  it('refuses a return after the return window closed', async () => {
    const refused = await call('POST', '/returns', { orderId: 'o-old', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(refused).toMatchObject({ status: 422, body: { reason: 'RETURN_WINDOW_EXPIRED' } });
  });

  it('answers the same returnId with the same return, and with 409 when the content differs', async () => {
    await sendOrderEvent('o-idem', 'DELIVERED', daysAgo(1));
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-idem' }).then((view) => view ?? undefined));
    const request = { returnId: 'ret-idem', orderId: 'o-idem', lines: [{ sku: 'MUG', quantity: 1 }] };
    const first = await call('POST', '/returns', request);
    const second = await call('POST', '/returns', request);
    expect(first.status).toBe(201);
    expect(second).toEqual({ status: 200, body: first.body });

    const different = await call('POST', '/returns', { ...request, lines: [{ sku: 'SHIRT', quantity: 1 }] });
    expect(different.status).toBe(409);
  });

  it('makes one return of a request without returnId sent twice with the same Idempotency-Key (a double click), and another for the same key from another caller', async () => {
    await sendOrderEvent('o-idem-key', 'DELIVERED', daysAgo(1));
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-idem-key' }).then((view) => view ?? undefined));
    const post = async (key: string, token = ADMIN) => {
      const response = await fetch(`${url}/returns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
        body: JSON.stringify({ orderId: 'o-idem-key', lines: [{ sku: 'SHIRT', quantity: 1 }] }),
      });
      return { status: response.status, body: (await response.json()) as { returnId: string } };
    };
    const [first, again] = await Promise.all([post('click-1'), post('click-1')]);
    expect([first.status, again.status].sort()).toEqual([200, 201]);
    expect(again.body.returnId).toBe(first.body.returnId);
    const other = await post('click-1', signToken({ sub: 'another-admin', role: 'admin' }));
    expect(other.status).toBe(201);
    expect(other.body.returnId).not.toBe(first.body.returnId);
    expect((await post('x'.repeat(101))).status).toBe(400);
  });

  it('over Kafka, records a request for an unknown order as REJECTED with its reason and publishes nothing', async () => {
    await probe.send(Topics.returnsRequested, 'o-nowhere', { returnId: 'ret-k1', orderId: 'o-nowhere', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    await probe.send(Topics.returnsRequested, 'o-delivered', { returnId: 'ret-k2', orderId: 'o-delivered', lines: [{ sku: 'MUG', quantity: 1 }] });

    const rejected = await waitFor(async () => {
      const shown = await call('GET', '/returns/ret-k1');
      return shown.status === 200 && shown.body;
    });
    expect(rejected).toMatchObject({ status: 'REJECTED', rejection: { reason: 'UNKNOWN_ORDER' } });
    // ret-1 already claims the only mug of o-delivered.
    const exceeded = await waitFor(async () => {
      const shown = await call('GET', '/returns/ret-k2');
      return shown.status === 200 && shown.body;
    });
    expect(exceeded).toMatchObject({ status: 'REJECTED', rejection: { reason: 'QUANTITY_EXCEEDED' } });
    expect(await outboxCount(Topics.refunds, 'message_key = ?', 'ret-k1')).toBe(0);
  });

  it('over Kafka, takes a request refused before returns saw its order delivered when the channel sends it again, once it has', async () => {
    const sent = (ceId: string) => ({ ce_specversion: '1.0', ce_id: ceId, ce_type: 'ReturnRequested', ce_source: '/channels/app' });
    const request = { returnId: 'ret-early', orderId: 'o-late-news', lines: [{ sku: 'SHIRT', quantity: 1 }] };
    const shown = () => call('GET', '/returns/ret-early');
    await probe.send(Topics.returnsRequested, 'o-late-news', request, sent('ret-early-1'));
    expect(await waitFor(async () => (await shown()).status === 200 && (await shown()).body)).toMatchObject({ status: 'REJECTED', rejection: { reason: 'UNKNOWN_ORDER' } });

    await sendOrderEvent('o-late-news', 'DELIVERED', daysAgo(1));
    await waitFor(() => orm.em.fork().findOne(OrderView, { orderId: 'o-late-news' }).then((view) => view ?? undefined), { what: 'the delivered order' });
    await probe.send(Topics.returnsRequested, 'o-late-news', request, sent('ret-early-2'));
    const taken = await waitFor(async () => (await shown()).body.status === 'REQUESTED' && (await shown()).body, { what: 'the request taken' });
    expect(taken.rejection).toBeUndefined();
  });

  it('over Kafka, takes a request refused before returns saw its order delivered once the delivery comes, without it being sent again', async () => {
    const request = { returnId: 'ret-before-news', orderId: 'o-news-after', lines: [{ sku: 'SHIRT', quantity: 1 }] };
    const shown = () => call('GET', '/returns/ret-before-news');
    await probe.send(Topics.returnsRequested, 'o-news-after', request);
    expect(await waitFor(async () => (await shown()).status === 200 && (await shown()).body)).toMatchObject({ status: 'REJECTED', rejection: { reason: 'UNKNOWN_ORDER' } });

    await sendOrderEvent('o-news-after', 'DELIVERED', daysAgo(1));
    const taken = await waitFor(async () => (await shown()).body.status === 'REQUESTED' && (await shown()).body, { what: 'the request taken on the delivery' });
    expect(taken.rejection).toBeUndefined();
  });

  it("keeps a return in its order's trace, asked over HTTP or over Kafka before the delivery came, so that its refund continues the order's journey", async () => {
    const orderId = 'o-traced';
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
    const traceOf = (returnId: string) => probe.waitForMessage(Topics.refunds, (m) => m.key === returnId).then((refund) => refund.headers.traceparent?.split('-')[1]);
    await sendOrderEvent(orderId, 'SHIPPED', daysAgo(1), SHIPPED_WHOLE, LINES, traceparent);
    await waitFor(async () => !!(await orm.em.fork().findOne(OrderView, { orderId })), { what: 'the order seen' });
    // Sent by a channel with no trace of its own, while the order is on its way: refused for now.
    await probe.send(Topics.returnsRequested, orderId, { returnId: 'ret-traced-kafka', orderId, lines: [{ sku: 'MUG', quantity: 1 }] });
    await waitFor(async () => (await call('GET', '/returns/ret-traced-kafka')).body.status === 'REJECTED', { what: 'the request refused for now' });
    await sendOrderEvent(orderId, 'DELIVERED', daysAgo(0), SHIPPED_WHOLE, LINES, traceparent);
    await waitFor(async () => (await call('GET', '/returns/ret-traced-kafka')).body.status === 'REQUESTED', { what: 'the request taken on the delivery' });
    expect((await call('POST', '/returns', { returnId: 'ret-traced-http', orderId, lines: [{ sku: 'SHIRT', quantity: 1 }] })).status).toBe(201);

    for (const [returnId, sku] of [['ret-traced-kafka', 'MUG'], ['ret-traced-http', 'SHIRT']]) {
      expect((await call('POST', `/returns/${returnId}/receive`, { locationId: 'store-1', lines: [{ sku, quantity: 1, condition: 'RESELLABLE' }] })).status).toBe(200);
    }
    expect([await traceOf('ret-traced-kafka'), await traceOf('ret-traced-http')]).toEqual([traceId, traceId]);
  });

  it('over Kafka, takes a request for the units of the last parcel, refused while returns had seen only the first delivered, once it sees the order delivered', async () => {
    await firstParcelDelivered('o-last-parcel');
    const shown = () => call('GET', '/returns/ret-last-parcel');
    await probe.send(Topics.returnsRequested, 'o-last-parcel', { returnId: 'ret-last-parcel', orderId: 'o-last-parcel', lines: [{ sku: 'SHIRT', quantity: 2 }] });
    expect(await waitFor(async () => (await shown()).status === 200 && (await shown()).body)).toMatchObject({ status: 'REJECTED', rejection: { reason: 'ORDER_NOT_DELIVERED' } });

    await lastParcelDelivered('o-last-parcel');
    const taken = await waitFor(async () => (await shown()).body.status === 'REQUESTED' && (await shown()).body, { what: 'the request taken on the delivery' });
    expect(taken.rejection).toBeUndefined();
  });

  it('over Kafka, says why for good a request refused for now that its order, once delivered, still cannot take', async () => {
    await firstParcelDelivered('o-two-asks');
    const shown = (id: string) => call('GET', `/returns/${id}`);
    for (const id of ['ret-two-asks-1', 'ret-two-asks-2']) await probe.send(Topics.returnsRequested, 'o-two-asks', { returnId: id, orderId: 'o-two-asks', lines: [{ sku: 'SHIRT', quantity: 2 }] });
    await waitFor(async () => (await shown('ret-two-asks-2')).body?.rejection?.reason === 'ORDER_NOT_DELIVERED', { what: 'both parked' });

    await lastParcelDelivered('o-two-asks');
    await waitFor(async () => (await shown('ret-two-asks-1')).body.status === 'REQUESTED', { what: 'the first taken' });
    const second = await waitFor(async () => (await shown('ret-two-asks-2')).body?.rejection?.reason === 'QUANTITY_EXCEEDED' && (await shown('ret-two-asks-2')).body, { what: 'the second refused for good' });
    expect(second).toMatchObject({ status: 'REJECTED', rejection: { reason: 'QUANTITY_EXCEEDED' } });
  });

  it('over Kafka, sends a request without a returnId to the DLQ', async () => {
    await probe.send(Topics.returnsRequested, 'o-delivered', { orderId: 'o-delivered', lines: [{ sku: 'SHIRT', quantity: 1 }] });
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.value?.originalTopic === Topics.returnsRequested);
    expect(dead.value.reason).toContain('returnId');
  });
});

describe('order view', () => {
  it('sends an OrderDelivered that the orchestrator did not publish to the DLQ, so no return or refund can follow from it', async () => {
    const event: OrderEvent = { orderId: 'o-forged', status: 'DELIVERED', currency: 'EUR', lines: LINES, allocations: SHIPPED_WHOLE, occurredAt: daysAgo(1) };
    const { ce_source: _owner, ...unsigned } = ceHeaders('orders', 'OrderDelivered');
    await probe.send(Topics.ordersEvents, 'o-forged', event, { ...unsigned, ce_source: '/fil/test' });
    await probe.send(Topics.ordersEvents, 'o-forged', event, unsigned);
    const dead = await waitFor(() => {
      const found = probe.messages(Topics.dlq, (m) => m.key === 'o-forged');
      return found.length === 2 && found;
    }, { what: 'both forged order events in the DLQ' });
    expect(dead.map((m) => m.value.reason)).toEqual([
      `${Topics.ordersEvents} does not accept messages from source /fil/test`,
      `${Topics.ordersEvents} does not accept messages without a ce_source`,
    ]);
    expect(await orm.em.fork().findOne(OrderView, { orderId: 'o-forged' })).toBeNull();
    const refused = await call('POST', '/returns', { returnId: 'ret-forged', orderId: 'o-forged', lines: [{ sku: 'MUG', quantity: 1 }] });
    expect(refused).toMatchObject({ status: 404, body: { reason: 'UNKNOWN_ORDER' } });
    expect(await outboxCount(Topics.refunds, 'message_key = ?', 'ret-forged')).toBe(0);
  });

  it('ignores an order event older than the state it already holds', async () => {
    await sendOrderEvent('o-late', 'DELIVERED', daysAgo(1));
    const lateId = await sendOrderEvent('o-late', 'SHIPPED', daysAgo(2));
    await waitFor(async () => {
      const [{ n }] = await orm.em.fork().execute<{ n: number }[]>('select count(*)::int as n from handled_message where message_id = ?', [lateId]);
      return n === 1;
    });
    const view = await orm.em.fork().findOneOrFail(OrderView, { orderId: 'o-late' });
    expect(view.status).toBe('DELIVERED');
    expect(view.deliveredAt?.toISOString()).toBeDefined();
  });
  it('applies the events of one fetch together, in arrival order: an older one and a redelivery change nothing', async () => {
    const event = (orderId: string, status: OrderStatus, occurredAt: string): OrderEvent => ({ orderId, status, channel: 'web', currency: 'EUR', lines: LINES, allocations: SHIPPED_WHOLE, occurredAt });
    const shipped = ceHeaders('orders', 'OrderShipped');
    const messages = [
      { key: 'o-batch', value: event('o-batch', 'SHIPPED', daysAgo(3)), headers: shipped },
      { key: 'o-batch', value: event('o-batch', 'DELIVERED', daysAgo(2)), headers: ceHeaders('orders', 'OrderDelivered') },
      { key: 'o-batch', value: event('o-batch', 'SHIPPED', daysAgo(3)), headers: shipped },
      { key: 'o-batch', value: event('o-batch', 'IN_FULFILLMENT', daysAgo(4)), headers: ceHeaders('orders', 'OrderInFulfillment') },
      { key: 'o-batch-2', value: event('o-batch-2', 'DELIVERED', daysAgo(1)), headers: ceHeaders('orders', 'OrderDelivered') },
    ];
    // A batch that fails is handled again one message at a time: it must not have failed.
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    await probe.sendMany(Topics.ordersEvents, messages.map(({ key, value, headers }) => ({ key, value: JSON.stringify(value), headers })));
    const views = await waitFor(async () => {
      const found = await orm.em.fork().find(OrderView, { orderId: { $in: ['o-batch', 'o-batch-2'] } }, { orderBy: { orderId: 'asc' } });
      return found.length === 2 && found;
    }, { what: 'both views' });
    expect(warnings.mock.calls.filter(([text]) => String(text).includes('failed'))).toEqual([]);
    warnings.mockRestore();
    const at = (n: number) => new Date(messages[n].value.occurredAt).getTime();
    expect(views.map(({ status, deliveredAt, lastEventAt }) => ({ status, deliveredAt: deliveredAt?.getTime(), lastEventAt: lastEventAt?.getTime() }))).toEqual([
      { status: 'DELIVERED', deliveredAt: at(1), lastEventAt: at(1) },
      { status: 'DELIVERED', deliveredAt: at(4), lastEventAt: at(4) },
    ]);
    expect(views[0]).toMatchObject({ channel: 'web', currency: 'EUR', delivered: { SHIRT: 2, MUG: 1 }, lines: LINES.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })) });
    const accepted = await call('POST', '/returns', { returnId: 'ret-batch', orderId: 'o-batch', lines: [{ sku: 'MUG', quantity: 1 }] });
    expect(accepted.status).toBe(201);
  });
});
