import { randomUUID } from 'node:crypto';
import { Logger, type INestApplication } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { FulfillmentCommandTypes, Topics, type CreateFulfillment } from '@fil/contracts';
import { startTracing, stopTracing } from '@fil/observability';
import { databaseName, dropDatabase } from '@fil/persistence';
import { signToken, tokenConfig } from '@fil/auth';
import { ceHeaders, KafkaProbe, startService, useTestEnvironment, waitFor, type ProbedMessage } from '@fil/testing';

useTestEnvironment('fulfillment');
// Propagation only, so the test can see the order's trace carried on. FIL_TRACING=off alone
// leaves NodeSDK falling back to its default OTLP exporter, which fails under Jest.
process.env.OTEL_TRACES_EXPORTER = 'none';
startTracing('fulfillment-test');
jest.setTimeout(60_000);

let app: INestApplication;
let url: string;
const probe = new KafkaProbe();

function createCommand(id: string, overrides: Partial<CreateFulfillment> = {}): CreateFulfillment {
  return {
    fulfillmentId: id,
    orderId: `order-${id}`,
    locationId: 'WH-PARIS',
    kind: 'SHIP',
    reservationId: `res-${id}`,
    lines: [
      { sku: 'SKU-A', quantity: 2 },
      { sku: 'SKU-B', quantity: 1 },
    ],
    ...overrides,
  };
}

function sendCommand(type: string, value: Record<string, unknown>, ceId: string = randomUUID()) {
  return probe.send(
    Topics.fulfillmentCommands,
    String(value.orderId ?? ''),
    value,
    ceHeaders('orders', type, { ce_id: ceId, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
  );
}

const eventsOf = (fulfillmentId: string): ProbedMessage[] =>
  probe.messages(Topics.fulfillmentEvents, (message) => message.value?.fulfillmentId === fulfillmentId);

function waitForEvent(fulfillmentId: string, type: string): Promise<ProbedMessage> {
  return probe.waitForMessage(
    Topics.fulfillmentEvents,
    (message) => message.value?.fulfillmentId === fulfillmentId && message.headers.ce_type === type,
    30_000,
  );
}

/** Creates a fulfillment over Kafka and waits until it is announced, as the orchestrator would see it. */
async function created(id: string, overrides: Partial<CreateFulfillment> = {}) {
  await sendCommand(FulfillmentCommandTypes.create, { ...createCommand(id, overrides) });
  await waitForEvent(id, 'FulfillmentCreated');
}

/** Response bodies are whatever the service answers: tests assert their shape. */
const bodyOf = (response: Response): Promise<any> => response.json();
// Staff endpoints need a bearer token: an admin's by default, any other when a test says so.
const ADMIN = signToken({ sub: 'test-admin', role: 'admin' });
const authorized = (token: string | undefined = ADMIN): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
const get = (path: string, token?: string) => fetch(url + path, { headers: authorized(token) });
const getJson = async (path: string): Promise<any> => bodyOf(await get(path));

function post(path: string, body?: unknown, token?: string) {
  return fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authorized(token) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const fullPick = { lines: [{ sku: 'SKU-A', quantity: 2 }, { sku: 'SKU-B', quantity: 1 }] };

beforeAll(async () => {
  await probe.start([Topics.fulfillmentEvents, Topics.dlq, Topics.inventoryCommands, Topics.inventoryAdjustments]);
  // AppModule names its database from the environment as it loads: load it after useTestEnvironment.
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
});

afterAll(async () => {
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('fulfillment'));
  await stopTracing();
});

describe('fulfillment commands over Kafka', () => {
  it('creates a fulfillment once when CreateFulfillment is sent twice under different message ids, and announces it once', async () => {
    const command = createCommand('F-twice');
    await sendCommand(FulfillmentCommandTypes.create, { ...command }, 'msg-1');
    await sendCommand(FulfillmentCommandTypes.create, { ...command }, 'msg-2');
    // Same key, same partition: once the marker is announced, both copies have been handled.
    await created('F-twice-marker', { orderId: command.orderId });

    expect(eventsOf('F-twice').map((event) => event.headers.ce_type)).toEqual(['FulfillmentCreated']);
    const [event] = eventsOf('F-twice');
    expect(event.key).toBe(command.orderId);
    expect(event.headers.ce_id).toBe('F-twice:CREATED');
    expect(event.value).toMatchObject({ fulfillmentId: 'F-twice', status: 'CREATED', kind: 'SHIP', reservationId: 'res-F-twice' });

    const response = await get('/fulfillments/F-twice');
    expect(response.status).toBe(200);
    expect(await bodyOf(response)).toMatchObject({
      id: 'F-twice',
      orderId: command.orderId,
      locationId: 'WH-PARIS',
      kind: 'SHIP',
      status: 'CREATED',
      lines: [
        { sku: 'SKU-A', quantity: 2, picked: 0 },
        { sku: 'SKU-B', quantity: 1, picked: 0 },
      ],
      history: [{ status: 'CREATED' }],
    });
    const listed = await getJson(`/fulfillments?orderId=${command.orderId}`);
    expect(listed.map((fulfillment: { id: string }) => fulfillment.id)).toEqual(['F-twice', 'F-twice-marker']);
  });

  it('handles the commands of one fetch together and in order: a resent create changes nothing, a cancel after its create applies, every event once in the order trace', async () => {
    const message = (type: string, value: object) => ({
      key: 'order-fetch',
      value: JSON.stringify(value),
      headers: ceHeaders('orders', type, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
    });
    const create = (id: string) => message(FulfillmentCommandTypes.create, createCommand(id, { orderId: 'order-fetch' }));
    // A batch that fails is handled again one message at a time: it must not have failed.
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    await probe.sendMany(Topics.fulfillmentCommands, [
      create('F-fetch-1'),
      create('F-fetch-2'),
      message(FulfillmentCommandTypes.create, createCommand('F-twice')),
      create('F-fetch-1'),
      message(FulfillmentCommandTypes.cancel, { fulfillmentId: 'F-fetch-2', orderId: 'order-fetch', reason: 'order cancelled' }),
      create('F-fetch-3'),
    ]);
    await waitForEvent('F-fetch-3', 'FulfillmentCreated');
    expect(warnings.mock.calls.filter(([text]) => String(text).includes('failed'))).toEqual([]);
    warnings.mockRestore();

    const types = (id: string) => eventsOf(id).map((event) => event.headers.ce_type);
    expect([types('F-fetch-1'), types('F-fetch-2'), types('F-fetch-3'), types('F-twice')]).toEqual([['FulfillmentCreated'], ['FulfillmentCreated', 'FulfillmentCancelled'], ['FulfillmentCreated'], ['FulfillmentCreated']]);
    expect(['F-fetch-1', 'F-fetch-2', 'F-fetch-3'].flatMap(eventsOf).every((event) => event.headers.traceparent?.split('-')[1] === '0af7651916cd43dd8448eb211c80319c')).toBe(true);
    const listed = await getJson('/fulfillments?orderId=order-fetch');
    expect(listed.map(({ id, status, lines, history }: any) => ({ id, status, lines, history: history.map((entry: any) => entry.status) }))).toEqual([
      { id: 'F-fetch-1', status: 'CREATED', lines: [{ sku: 'SKU-A', quantity: 2, picked: 0 }, { sku: 'SKU-B', quantity: 1, picked: 0 }], history: ['CREATED'] },
      { id: 'F-fetch-2', status: 'CANCELLED', lines: [{ sku: 'SKU-A', quantity: 2, picked: 0 }, { sku: 'SKU-B', quantity: 1, picked: 0 }], history: ['CREATED', 'CANCELLED'] },
      { id: 'F-fetch-3', status: 'CREATED', lines: [{ sku: 'SKU-A', quantity: 2, picked: 0 }, { sku: 'SKU-B', quantity: 1, picked: 0 }], history: ['CREATED'] },
    ]);
  });

  it('sends an invalid CreateFulfillment to the DLQ with the reason, and creates nothing', async () => {
    await sendCommand(FulfillmentCommandTypes.create, { ...createCommand('F-invalid'), lines: [], kind: 'TELEPORT' });
    const dead = await probe.waitForMessage(Topics.dlq, (message) => message.value?.originalTopic === Topics.fulfillmentCommands);
    expect(dead.value.reason).toMatch(/invalid CreateFulfillment: .*kind.*lines/);
    expect(dead.key).toBe('order-F-invalid');
    expect((await get('/fulfillments/F-invalid')).status).toBe(404);
  });

  it("creates the work of an order's lines of one SKU merged, above one line's maximum of units", async () => {
    await created('F-merged', { lines: [{ sku: 'SKU-A', quantity: 12_000 }] });
    expect((await getJson('/fulfillments/F-merged')).lines).toEqual([{ sku: 'SKU-A', quantity: 12_000, picked: 0 }]);
  });

  it('cancels a fulfillment not yet shipped on CancelFulfillment, announcing it once', async () => {
    await created('F-cancel');
    const cancel = { fulfillmentId: 'F-cancel', orderId: 'order-F-cancel', reason: 'order cancelled by the customer' };
    await sendCommand(FulfillmentCommandTypes.cancel, cancel);
    await sendCommand(FulfillmentCommandTypes.cancel, cancel);
    await waitForEvent('F-cancel', 'FulfillmentCancelled');
    await created('F-cancel-marker', { orderId: cancel.orderId });
    expect(eventsOf('F-cancel').map((event) => event.headers.ce_type)).toEqual(['FulfillmentCreated', 'FulfillmentCancelled']);
    const fulfillment = await getJson('/fulfillments/F-cancel');
    expect(fulfillment.status).toBe('CANCELLED');
    expect(fulfillment.history.at(-1)).toMatchObject({ status: 'CANCELLED', detail: cancel.reason });
    expect((await post('/fulfillments/F-cancel/pick', fullPick)).status).toBe(409);
  });

  it('answers a CancelFulfillment that comes after the parcel left with FulfillmentCancelRefused and the reason, once', async () => {
    await created('F-too-late');
    expect((await post('/fulfillments/F-too-late/pick', fullPick)).status).toBe(200);
    expect((await post('/fulfillments/F-too-late/pack', { parcels: [{ weightKg: 1 }] })).status).toBe(200);
    expect((await post('/fulfillments/F-too-late/ship', { carrier: 'DHL', trackingNumber: 'JD002' })).status).toBe(200);
    const cancel = { fulfillmentId: 'F-too-late', orderId: 'order-F-too-late', reason: 'order cancelled by the customer' };
    await sendCommand(FulfillmentCommandTypes.cancel, cancel);
    await sendCommand(FulfillmentCommandTypes.cancel, cancel);
    const refused = await waitForEvent('F-too-late', 'FulfillmentCancelRefused');
    expect(refused.key).toBe('order-F-too-late');
    expect(refused.value).toMatchObject({ status: 'SHIPPED', carrier: 'DHL', trackingNumber: 'JD002', reason: expect.stringMatching(/cannot cancel fulfillment F-too-late: it is SHIPPED/) });
    await created('F-too-late-marker', { orderId: cancel.orderId });
    const refusals = eventsOf('F-too-late').filter((event) => event.headers.ce_type === 'FulfillmentCancelRefused');
    // The same answer twice, under one id: the orchestrator takes it once.
    expect(new Set(refusals.map((event) => event.headers.ce_id)).size).toBe(1);
    expect((await getJson('/fulfillments/F-too-late')).status).toBe('SHIPPED');
  });
});

describe('fulfillment steps over HTTP', () => {
  it('publishes one event per step pick → pack → ship → deliver, in order, on the order partition', async () => {
    await created('F-steps');
    expect((await post('/fulfillments/F-steps/pick', fullPick)).status).toBe(200);
    expect((await post('/fulfillments/F-steps/pack', { parcels: [{ weightKg: 2.5 }] })).status).toBe(200);
    expect((await post('/fulfillments/F-steps/ship', { carrier: 'DHL', trackingNumber: 'JD001' })).status).toBe(200);
    const delivered = await post('/fulfillments/F-steps/deliver');
    expect(delivered.status).toBe(200);
    expect(await bodyOf(delivered)).toMatchObject({
      status: 'DELIVERED',
      carrier: 'DHL',
      trackingNumber: 'JD001',
      lines: [
        { sku: 'SKU-A', quantity: 2, picked: 2 },
        { sku: 'SKU-B', quantity: 1, picked: 1 },
      ],
    });

    await waitForEvent('F-steps', 'FulfillmentDelivered');
    const events = eventsOf('F-steps');
    expect(events.map((event) => event.headers.ce_type)).toEqual([
      'FulfillmentCreated',
      'FulfillmentPicked',
      'FulfillmentPacked',
      'FulfillmentShipped',
      'FulfillmentDelivered',
    ]);
    expect(new Set(events.map((event) => event.partition)).size).toBe(1);
    expect(events.map((event) => BigInt(event.offset))).toEqual(events.map((event) => BigInt(event.offset)).sort((a, b) => (a < b ? -1 : 1)));
    expect(events.every((event) => event.key === 'order-F-steps')).toBe(true);
    expect(events[3].value).toMatchObject({ status: 'SHIPPED', carrier: 'DHL', trackingNumber: 'JD001' });
    // The staff steps continue the trace the order's command arrived with.
    expect(events.every((event) => event.headers.traceparent?.split('-')[1] === '0af7651916cd43dd8448eb211c80319c')).toBe(true);
  });

  it('answers 409 with the reason when a step comes from the wrong state, and changes nothing', async () => {
    await created('F-wrong');
    const response = await post('/fulfillments/F-wrong/ship', { carrier: 'DHL', trackingNumber: 'JD002' });
    expect(response.status).toBe(409);
    expect((await bodyOf(response)).message).toBe('cannot ship fulfillment F-wrong: it is CREATED, it must be PACKED');
    expect((await getJson('/fulfillments/F-wrong')).status).toBe('CREATED');
  });

  it('treats a repeated ship with the same data as harmless: 200, and no second FulfillmentShipped', async () => {
    await created('F-repeat');
    await post('/fulfillments/F-repeat/pick', fullPick);
    await post('/fulfillments/F-repeat/pack', { parcels: [{ weightKg: 1 }] });
    const ship = { carrier: 'UPS', trackingNumber: '1Z999' };
    const [first, second] = await Promise.all([post('/fulfillments/F-repeat/ship', ship), post('/fulfillments/F-repeat/ship', ship)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await bodyOf(second)).status).toBe('SHIPPED');
    const again = await post('/fulfillments/F-repeat/ship', ship);
    expect(again.status).toBe(200);
    await post('/fulfillments/F-repeat/deliver');

    // Delivered follows on the same partition: a second Shipped would have arrived before it.
    await waitForEvent('F-repeat', 'FulfillmentDelivered');
    expect(eventsOf('F-repeat').filter((event) => event.headers.ce_type === 'FulfillmentShipped')).toHaveLength(1);
  });

  it('answers 400 for pick lines that do not name the fulfillment SKUs or are short without a reason (an empty one too), 404 for an unknown id', async () => {
    await created('F-bad-pick');
    const unknown = await post('/fulfillments/F-bad-pick/pick', { lines: [...fullPick.lines, { sku: 'SKU-Z', quantity: 1 }] });
    expect(unknown.status).toBe(400);
    expect((await bodyOf(unknown)).message).toMatch(/holds no sku SKU-Z/);
    const unexplained = await post('/fulfillments/F-bad-pick/pick', { lines: [{ sku: 'SKU-A', quantity: 1 }, { sku: 'SKU-B', quantity: 1 }] });
    expect(unexplained.status).toBe(400);
    expect((await bodyOf(unexplained)).message).toMatch(/SKU-A \(1 of 2\) short without a reason/);
    const badReason = await post('/fulfillments/F-bad-pick/pick', { lines: [{ sku: 'SKU-A', quantity: 1, reason: '' }, { sku: 'SKU-B', quantity: 1 }] });
    expect(badReason.status).toBe(400);
    expect((await post('/fulfillments/F-bad-pick/pack', { parcels: [{ weightKg: 0 }] })).status).toBe(400);
    expect((await post('/fulfillments/nope/pick', fullPick)).status).toBe(404);
    expect((await get('/fulfillments/nope')).status).toBe(404);
  });

  it('lists fulfillments by location and status, oldest first', async () => {
    await created('F-list-1', { locationId: 'STORE-LYON' });
    await created('F-list-2', { locationId: 'STORE-LYON' });
    await post('/fulfillments/F-list-2/pick', fullPick);
    const all = await getJson('/fulfillments?locationId=STORE-LYON');
    expect(all.map((fulfillment: { id: string }) => fulfillment.id)).toEqual(['F-list-1', 'F-list-2']);
    const picked = await getJson('/fulfillments?locationId=STORE-LYON&status=PICKED');
    expect(picked.map((fulfillment: { id: string }) => fulfillment.id)).toEqual(['F-list-2']);
    expect((await get('/fulfillments?status=LOST')).status).toBe(400);
  });
});

describe('short picks', () => {
  it('reports the missing units to inventory once, with the reservation, and announces what was found', async () => {
    await created('F-short');
    const lines = { lines: [{ sku: 'SKU-A', quantity: 1, reason: 'NOT_FOUND' }, { sku: 'SKU-B', quantity: 1 }] };
    const picked = await post('/fulfillments/F-short/pick', lines);
    expect(picked.status).toBe(200);
    expect(await bodyOf(picked)).toMatchObject({ status: 'PICKED', shortLines: [{ sku: 'SKU-A', missing: 1, reason: 'NOT_FOUND' }] });
    expect((await post('/fulfillments/F-short/pick', lines)).status).toBe(200);
    const event = await waitForEvent('F-short', 'FulfillmentPicked');
    expect(event.value.lines).toEqual([
      { sku: 'SKU-A', quantity: 2, picked: 1 },
      { sku: 'SKU-B', quantity: 1, picked: 1 },
    ]);
    const report = await probe.waitForMessage(Topics.inventoryCommands, (m) => m.headers.ce_type === 'ReportShortPick' && m.value.fulfillmentId === 'F-short');
    expect(report.key).toBe('order-F-short');
    expect(report.value).toEqual({
      reservationId: 'res-F-short',
      orderId: 'order-F-short',
      fulfillmentId: 'F-short',
      locationId: 'WH-PARIS',
      lines: [{ sku: 'SKU-A', missing: 1, reason: 'NOT_FOUND' }],
    });
    // Packing and shipping go on with what was found.
    expect((await post('/fulfillments/F-short/pack', { parcels: [{ weightKg: 1 }] })).status).toBe(200);
    expect(probe.messages(Topics.inventoryCommands, (m) => m.value?.fulfillmentId === 'F-short')).toHaveLength(1);
  });
});

describe('click & collect at the counter', () => {
  const orderId = 'order-counter';
  const transfer = { orderId, locationId: 'WH-PARIS', kind: 'TRANSFER' as const, destinationLocationId: 'ST-LYON' };
  const counter = { orderId, locationId: 'ST-LYON', kind: 'PICKUP' as const };

  it('is ready only once every transfer to the store has been received, and announces each step once', async () => {
    await created('F-transfer-1', transfer);
    await created('F-transfer-2', transfer);
    await created('F-counter', counter);
    // A transfer to another store is not this counter's business, nor is a cancelled one.
    await created('F-transfer-elsewhere', { ...transfer, destinationLocationId: 'ST-NICE' });
    await created('F-transfer-cancelled', transfer);
    await sendCommand(FulfillmentCommandTypes.cancel, { fulfillmentId: 'F-transfer-cancelled', orderId, reason: 're-routed' });
    await waitForEvent('F-transfer-cancelled', 'FulfillmentCancelled');

    const tooSoon = await post('/fulfillments/F-counter/collect');
    expect(tooSoon.status).toBe(409);
    expect((await bodyOf(tooSoon)).message).toBe('cannot collect fulfillment F-counter: transfers F-transfer-1 (CREATED), F-transfer-2 (CREATED) have not been received at ST-LYON yet');
    const early = await post('/fulfillments/F-counter/ready');
    expect(early.status).toBe(409);
    expect((await bodyOf(early)).message).toBe(
      'cannot mark fulfillment F-counter ready: transfers F-transfer-1 (CREATED), F-transfer-2 (CREATED) have not been received at ST-LYON yet',
    );
    for (const id of ['F-transfer-1', 'F-transfer-2']) {
      expect((await post(`/fulfillments/${id}/receive`)).status).toBe(409);
      await post(`/fulfillments/${id}/pick`, fullPick);
      await post(`/fulfillments/${id}/pack`, { parcels: [{ weightKg: 3 }] });
      await post(`/fulfillments/${id}/ship`, { carrier: 'GLS', trackingNumber: `T-${id}` });
    }
    expect((await post('/fulfillments/F-transfer-1/receive')).status).toBe(200);
    expect((await post('/fulfillments/F-transfer-1/receive')).status).toBe(200);
    expect((await bodyOf(await post('/fulfillments/F-counter/ready'))).message).toMatch(/transfers F-transfer-2 \(IN_TRANSIT\) have not been received/);
    await post('/fulfillments/F-transfer-2/receive');
    // The counter holds a part of the store's own: its staff say when it is gathered.
    expect((await getJson('/fulfillments/F-counter')).status).toBe('CREATED');

    const ready = await post('/fulfillments/F-counter/ready');
    expect(ready.status).toBe(200);
    expect(await bodyOf(ready)).toMatchObject({ status: 'READY_FOR_PICKUP' });
    expect((await post('/fulfillments/F-counter/ready')).status).toBe(200);
    expect((await post('/fulfillments/F-counter/collect')).status).toBe(200);
    expect((await post('/fulfillments/F-counter/collect')).status).toBe(200);
    // A ready sent again after the collect (its answer lost) changes nothing and announces nothing.
    const afterCollect = await post('/fulfillments/F-counter/ready');
    expect(afterCollect.status).toBe(200);
    expect(await bodyOf(afterCollect)).toMatchObject({ status: 'COLLECTED' });
    await waitForEvent('F-counter', 'FulfillmentCollected');
    const received = await waitForEvent('F-transfer-2', 'FulfillmentReceived');
    expect(received.value).toMatchObject({ status: 'RECEIVED', kind: 'TRANSFER', locationId: 'WH-PARIS', destinationLocationId: 'ST-LYON' });
    expect(eventsOf('F-counter').map((event) => event.headers.ce_type)).toEqual(['FulfillmentCreated', 'FulfillmentReadyForPickup', 'FulfillmentCollected']);
    expect(eventsOf('F-transfer-1').map((event) => event.headers.ce_type).slice(-1)).toEqual(['FulfillmentReceived']);
    expect(eventsOf('F-transfer-1').filter((event) => event.headers.ce_type === 'FulfillmentReceived')).toHaveLength(1);
    expect((await getJson('/fulfillments/F-transfer-1')).destinationLocationId).toBe('ST-LYON');
  });

  it("is ready when the last transfer arrives if the store has no part of its own to gather: every part is there", async () => {
    const toStore = { orderId: 'order-counter-transfers', locationId: 'WH-PARIS', kind: 'TRANSFER' as const, destinationLocationId: 'ST-LYON' };
    await created('F-only-transfer-1', toStore);
    await created('F-only-transfer-2', toStore);
    await created('F-only-counter', { orderId: toStore.orderId, locationId: 'ST-LYON', kind: 'PICKUP', reservationId: undefined });
    for (const id of ['F-only-transfer-1', 'F-only-transfer-2']) {
      await post(`/fulfillments/${id}/pick`, fullPick);
      await post(`/fulfillments/${id}/pack`, { parcels: [{ weightKg: 3 }] });
      await post(`/fulfillments/${id}/ship`, { carrier: 'GLS', trackingNumber: `T-${id}` });
    }
    expect((await post('/fulfillments/F-only-transfer-1/receive')).status).toBe(200);
    expect((await getJson('/fulfillments/F-only-counter')).status).toBe('CREATED');

    const last = await post('/fulfillments/F-only-transfer-2/receive');
    expect([last.status, (await bodyOf(last)).status]).toEqual([200, 'RECEIVED']);
    expect((await getJson('/fulfillments/F-only-counter')).status).toBe('READY_FOR_PICKUP');
    const ready = await waitForEvent('F-only-counter', 'FulfillmentReadyForPickup');
    const received = await waitForEvent('F-only-transfer-2', 'FulfillmentReceived');
    expect(BigInt(received.offset) < BigInt(ready.offset)).toBe(true);
    // Staff pressing ready afterwards changes nothing; the customer collects.
    expect(await bodyOf(await post('/fulfillments/F-only-counter/ready'))).toMatchObject({ status: 'READY_FOR_PICKUP' });
    expect((await post('/fulfillments/F-only-transfer-2/receive')).status).toBe(200);
    expect((await post('/fulfillments/F-only-counter/collect')).status).toBe(200);
    await waitForEvent('F-only-counter', 'FulfillmentCollected');
    expect(eventsOf('F-only-counter').map((event) => event.headers.ce_type)).toEqual(['FulfillmentCreated', 'FulfillmentReadyForPickup', 'FulfillmentCollected']);
  });

  it("counts a transfer into the store's stock when it is received while its counter is being called off with the order given up", async () => {
    const toStore = { orderId: 'order-called-off-race', locationId: 'WH-PARIS', kind: 'TRANSFER' as const, destinationLocationId: 'ST-LYON' };
    await created('F-race-transfer', toStore);
    await created('F-race-counter', { orderId: toStore.orderId, locationId: 'ST-LYON', kind: 'PICKUP', reservationId: undefined });
    await post('/fulfillments/F-race-transfer/pick', fullPick);
    await post('/fulfillments/F-race-transfer/pack', { parcels: [{ weightKg: 3 }] });
    await post('/fulfillments/F-race-transfer/ship', { carrier: 'GLS', trackingNumber: 'T-race' });
    // The call-off's transaction, caught after it saw the transfer still on its way: the counter changed, not committed yet.
    const session = () => app.get(MikroORM).em.fork() as EntityManager;
    const callOff = session();
    await callOff.begin();
    await callOff.execute(`update fulfillment set status = 'CANCELLED', transfers_back_in_stock = true where id = 'F-race-counter'`);
    const receiving = post('/fulfillments/F-race-transfer/receive');
    const waitingForALock = async () => (await session().execute(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`))[0].n > 0;
    await waitFor(waitingForALock, { what: 'the receive waiting for the counter' });
    await callOff.commit();
    expect((await receiving).status).toBe(200);

    const counted = await probe.waitForMessage(Topics.inventoryAdjustments, (message) => message.value?.adjustmentId === 'transfer-back-SKU-A:F-race-transfer', 30_000);
    expect(counted.value).toEqual({ adjustmentId: 'transfer-back-SKU-A:F-race-transfer', locationId: 'ST-LYON', sku: 'SKU-A', mode: 'DELTA', quantity: 2, reason: 'TRANSFER_NOT_COLLECTED' });
  });

  it("counts the transfers of an order given up without a counter into the store's stock: at once once received, else at receipt, each once", async () => {
    const toStore = { orderId: 'order-no-counter', locationId: 'WH-PARIS', kind: 'TRANSFER' as const, destinationLocationId: 'ST-LYON' };
    for (const id of ['F-nc-received', 'F-nc-on-its-way']) {
      await created(id, toStore);
      await post(`/fulfillments/${id}/pick`, fullPick);
      await post(`/fulfillments/${id}/pack`, { parcels: [{ weightKg: 3 }] });
      await post(`/fulfillments/${id}/ship`, { carrier: 'GLS', trackingNumber: `T-${id}` });
    }
    expect((await post('/fulfillments/F-nc-received/receive')).status).toBe(200);
    const callOff = (id: string) => sendCommand('CancelFulfillment', { fulfillmentId: id, orderId: toStore.orderId, reason: 'customer cancelled', transfersBackInStock: true });
    for (const id of ['F-nc-received', 'F-nc-on-its-way']) await callOff(id);
    const countedIn = (id: string) => probe.messages(Topics.inventoryAdjustments, (message) => message.value?.adjustmentId === `transfer-back-SKU-A:${id}`);
    await probe.waitForMessage(Topics.inventoryAdjustments, (message) => message.value?.adjustmentId === 'transfer-back-SKU-A:F-nc-received', 30_000);
    await waitForEvent('F-nc-on-its-way', 'FulfillmentCancelRefused');
    expect(countedIn('F-nc-on-its-way')).toEqual([]);

    expect((await post('/fulfillments/F-nc-on-its-way/receive')).status).toBe(200);
    const counted = await probe.waitForMessage(Topics.inventoryAdjustments, (message) => message.value?.adjustmentId === 'transfer-back-SKU-A:F-nc-on-its-way', 30_000);
    expect(counted.value).toEqual({ adjustmentId: 'transfer-back-SKU-A:F-nc-on-its-way', locationId: 'ST-LYON', sku: 'SKU-A', mode: 'DELTA', quantity: 2, reason: 'TRANSFER_NOT_COLLECTED' });
    // Called off again (a new message id): nothing counted twice.
    await callOff('F-nc-received');
    await waitFor(async () => eventsOf('F-nc-received').filter((event) => event.headers.ce_type === 'FulfillmentCancelRefused').length === 2, { what: 'the second call-off answered' });
    await probe.readToEnd(Topics.inventoryAdjustments);
    expect([countedIn('F-nc-received').length, countedIn('F-nc-on-its-way').length]).toEqual([1, 1]);
  });

  it("leaves a received transfer called off to its open counter: collected meanwhile, its units are the customer's, not the store's", async () => {
    const toStore = { orderId: 'order-collect-race', locationId: 'WH-PARIS', kind: 'TRANSFER' as const, destinationLocationId: 'ST-LYON' };
    await created('F-cr-transfer', toStore);
    await created('F-cr-counter', { orderId: toStore.orderId, locationId: 'ST-LYON', kind: 'PICKUP', reservationId: undefined });
    await post('/fulfillments/F-cr-transfer/pick', fullPick);
    await post('/fulfillments/F-cr-transfer/pack', { parcels: [{ weightKg: 3 }] });
    await post('/fulfillments/F-cr-transfer/ship', { carrier: 'GLS', trackingNumber: 'T-cr' });
    await post('/fulfillments/F-cr-transfer/receive');
    // The order is cancelled as the customer collects: its transfer's call-off comes first, then the counter's.
    const callOff = (id: string) => sendCommand('CancelFulfillment', { fulfillmentId: id, orderId: toStore.orderId, reason: 'customer cancelled', transfersBackInStock: true });
    await callOff('F-cr-transfer');
    await waitForEvent('F-cr-transfer', 'FulfillmentCancelRefused');
    expect((await post('/fulfillments/F-cr-counter/collect')).status).toBe(200);
    await callOff('F-cr-counter');
    await waitForEvent('F-cr-counter', 'FulfillmentCancelRefused');
    await probe.readToEnd(Topics.inventoryAdjustments);
    expect(probe.messages(Topics.inventoryAdjustments, (message) => message.value?.adjustmentId === 'transfer-back-SKU-A:F-cr-transfer')).toEqual([]);
  });

  it("counts into the store's stock, when its counter is called off, only the transferred units its pick found", async () => {
    const orderId = 'order-lost-at-counter';
    await created('F-lost-transfer', { orderId, locationId: 'WH-PARIS', kind: 'TRANSFER', destinationLocationId: 'ST-LYON', lines: [{ sku: 'SKU-B', quantity: 2 }] });
    await created('F-lost-counter', { orderId, locationId: 'ST-LYON', kind: 'PICKUP', reservationId: 'res-lost', ownLines: [{ sku: 'SKU-A', quantity: 1 }], lines: [{ sku: 'SKU-A', quantity: 1 }, { sku: 'SKU-B', quantity: 2 }] });
    await post('/fulfillments/F-lost-transfer/pick', { lines: [{ sku: 'SKU-B', quantity: 2 }] });
    await post('/fulfillments/F-lost-transfer/pack', { parcels: [{ weightKg: 1 }] });
    await post('/fulfillments/F-lost-transfer/ship', { carrier: 'GLS', trackingNumber: 'T-lost' });
    await post('/fulfillments/F-lost-transfer/receive');
    // One of the two units the transfer brought went missing in the store.
    expect((await post('/fulfillments/F-lost-counter/pick', { lines: [{ sku: 'SKU-A', quantity: 1 }, { sku: 'SKU-B', quantity: 1, reason: 'NOT_FOUND' }] })).status).toBe(200);
    await sendCommand('CancelFulfillment', { fulfillmentId: 'F-lost-counter', orderId, reason: 'customer cancelled', transfersBackInStock: true });
    const counted = await probe.waitForMessage(Topics.inventoryAdjustments, (message) => message.value?.adjustmentId === 'transfer-back-SKU-B:F-lost-transfer', 30_000);
    expect(counted.value).toMatchObject({ locationId: 'ST-LYON', sku: 'SKU-B', mode: 'DELTA', quantity: 1 });
    // The transfer's own call-off, refused (it arrived), counts it in with the same content: inventory takes the adjustment once.
    await sendCommand('CancelFulfillment', { fulfillmentId: 'F-lost-transfer', orderId, reason: 'customer cancelled', transfersBackInStock: true });
    await waitForEvent('F-lost-transfer', 'FulfillmentCancelRefused');
    await probe.readToEnd(Topics.inventoryAdjustments);
    const quantities = probe.messages(Topics.inventoryAdjustments, (message) => message.value?.adjustmentId === 'transfer-back-SKU-B:F-lost-transfer').map((message) => message.value.quantity);
    expect(new Set(quantities)).toEqual(new Set([1]));
  });

  it('waits for the transfer of a part re-routed after a short pick, not only for the transfers that exist', async () => {
    const toStore = { orderId: 'order-counter-rerouted', locationId: 'WH-PARIS', kind: 'TRANSFER' as const, destinationLocationId: 'ST-LYON' };
    await created('F-rerouted-counter', { orderId: toStore.orderId, locationId: 'ST-LYON', kind: 'PICKUP', reservationId: undefined });
    await created('F-rerouted-transfer-1', toStore);
    const moved = async (id: string, picked: typeof fullPick) => {
      await post(`/fulfillments/${id}/pick`, picked);
      await post(`/fulfillments/${id}/pack`, { parcels: [{ weightKg: 3 }] });
      await post(`/fulfillments/${id}/ship`, { carrier: 'GLS', trackingNumber: `T-${id}` });
      expect((await post(`/fulfillments/${id}/receive`)).status).toBe(200);
    };
    // One SKU-A unit was missing in Paris: the orchestrator routes it again, and its transfer is not created yet.
    await moved('F-rerouted-transfer-1', { lines: [{ sku: 'SKU-A', quantity: 1, reason: 'NOT_FOUND' }, { sku: 'SKU-B', quantity: 1 }] } as typeof fullPick);
    expect((await getJson('/fulfillments/F-rerouted-counter')).status).toBe('CREATED');

    await created('F-rerouted-transfer-2', { ...toStore, locationId: 'WH-LILLE', lines: [{ sku: 'SKU-A', quantity: 1 }] });
    await moved('F-rerouted-transfer-2', { lines: [{ sku: 'SKU-A', quantity: 1 }] } as typeof fullPick);
    expect((await getJson('/fulfillments/F-rerouted-counter')).status).toBe('READY_FOR_PICKUP');
  });

  it('is not ready after its own pick came up short until a transfer received since brings the missing units', async () => {
    const orderId = 'order-counter-short';
    await created('F-short-counter', { orderId, locationId: 'ST-LYON', kind: 'PICKUP', lines: [{ sku: 'SKU-A', quantity: 2 }] });
    const picked = await post('/fulfillments/F-short-counter/pick', { lines: [{ sku: 'SKU-A', quantity: 1, reason: 'NOT_FOUND' }] });
    expect(picked.status).toBe(200);
    // Straight after the pick, before the order has routed the missing unit again: not ready, and so not collected.
    const tooSoon = await post('/fulfillments/F-short-counter/ready');
    expect(tooSoon.status).toBe(409);
    expect((await bodyOf(tooSoon)).message).toBe('cannot mark fulfillment F-short-counter ready: SKU-A 1 missing at the pick has not arrived at ST-LYON yet');
    expect((await post('/fulfillments/F-short-counter/collect')).status).toBe(409);

    await created('F-short-reroute', { orderId, locationId: 'WH-LILLE', kind: 'TRANSFER', destinationLocationId: 'ST-LYON', lines: [{ sku: 'SKU-A', quantity: 1 }] });
    expect((await bodyOf(await post('/fulfillments/F-short-counter/ready'))).message).toMatch(/transfers F-short-reroute \(CREATED\) have not been received/);
    await post('/fulfillments/F-short-reroute/pick', { lines: [{ sku: 'SKU-A', quantity: 1 }] });
    await post('/fulfillments/F-short-reroute/pack', { parcels: [{ weightKg: 1 }] });
    await post('/fulfillments/F-short-reroute/ship', { carrier: 'GLS', trackingNumber: 'T-short' });
    expect((await post('/fulfillments/F-short-reroute/receive')).status).toBe(200);
    const ready = await post('/fulfillments/F-short-counter/ready');
    expect([ready.status, (await bodyOf(ready)).status]).toEqual([200, 'READY_FOR_PICKUP']);
  });

  it("reports to inventory only the store's own units missing at the counter, not those a transfer brought", async () => {
    const orderId = 'order-counter-own';
    await created('F-own-transfer', { orderId, locationId: 'WH-PARIS', kind: 'TRANSFER', destinationLocationId: 'ST-LYON', lines: [{ sku: 'SKU-B', quantity: 2 }] });
    await created('F-own-counter', { orderId, locationId: 'ST-LYON', kind: 'PICKUP', reservationId: 'res-own', lines: [{ sku: 'SKU-A', quantity: 1 }, { sku: 'SKU-B', quantity: 2 }] });
    await post('/fulfillments/F-own-transfer/pick', { lines: [{ sku: 'SKU-B', quantity: 2 }] });
    await post('/fulfillments/F-own-transfer/pack', { parcels: [{ weightKg: 1 }] });
    await post('/fulfillments/F-own-transfer/ship', { carrier: 'GLS', trackingNumber: 'T-own' });
    await post('/fulfillments/F-own-transfer/receive');
    const picked = await post('/fulfillments/F-own-counter/pick', { lines: [{ sku: 'SKU-A', quantity: 0, reason: 'NOT_FOUND' }, { sku: 'SKU-B', quantity: 1, reason: 'DAMAGED' }] });
    expect(await bodyOf(picked)).toMatchObject({ status: 'PICKED', shortLines: [{ sku: 'SKU-A', missing: 1 }, { sku: 'SKU-B', missing: 1 }] });
    const report = await probe.waitForMessage(Topics.inventoryCommands, (m) => m.headers.ce_type === 'ReportShortPick' && m.value.fulfillmentId === 'F-own-counter');
    expect(report.value).toMatchObject({ reservationId: 'res-own', locationId: 'ST-LYON', lines: [{ sku: 'SKU-A', missing: 1, reason: 'NOT_FOUND' }] });
  });

  it("does not report to inventory the units of a transfer still on its way as the store's own, missing at an early counter pick", async () => {
    const orderId = 'order-counter-early';
    await created('F-early-transfer', { orderId, locationId: 'WH-PARIS', kind: 'TRANSFER', destinationLocationId: 'ST-LYON', lines: [{ sku: 'SKU-B', quantity: 1 }] });
    await created('F-early-counter', { orderId, locationId: 'ST-LYON', kind: 'PICKUP', reservationId: 'res-early', lines: [{ sku: 'SKU-A', quantity: 1 }, { sku: 'SKU-B', quantity: 2 }] });
    await post('/fulfillments/F-early-transfer/pick', { lines: [{ sku: 'SKU-B', quantity: 1 }] });
    await post('/fulfillments/F-early-transfer/pack', { parcels: [{ weightKg: 1 }] });
    await post('/fulfillments/F-early-transfer/ship', { carrier: 'GLS', trackingNumber: 'T-early' });
    // The store's SKU-B unit is found, the one in the van is not there yet; SKU-A is really missing.
    await post('/fulfillments/F-early-counter/pick', { lines: [{ sku: 'SKU-A', quantity: 0, reason: 'NOT_FOUND' }, { sku: 'SKU-B', quantity: 1, reason: 'NOT_FOUND' }] });
    const report = await probe.waitForMessage(Topics.inventoryCommands, (m) => m.headers.ce_type === 'ReportShortPick' && m.value.fulfillmentId === 'F-early-counter');
    expect(report.value.lines).toEqual([{ sku: 'SKU-A', missing: 1, reason: 'NOT_FOUND' }]);
  });

  it('makes ready a counter picked before its transfer arrived once that transfer brings the units the pick lacked', async () => {
    const orderId = 'order-counter-early-ready';
    await created('F-er-transfer', { orderId, locationId: 'WH-PARIS', kind: 'TRANSFER', destinationLocationId: 'ST-LYON', lines: [{ sku: 'SKU-A', quantity: 2 }] });
    await created('F-er-counter', { orderId, locationId: 'ST-LYON', kind: 'PICKUP', reservationId: 'res-er', ownLines: [{ sku: 'SKU-A', quantity: 2 }], lines: [{ sku: 'SKU-A', quantity: 4 }] });
    // The store's two units gathered; the two in the van are not there yet.
    expect((await post('/fulfillments/F-er-counter/pick', { lines: [{ sku: 'SKU-A', quantity: 2, reason: 'NOT_FOUND' }] })).status).toBe(200);
    for (const [step, body] of [['pick', { lines: [{ sku: 'SKU-A', quantity: 2 }] }], ['pack', { parcels: [{ weightKg: 1 }] }], ['ship', { carrier: 'GLS', trackingNumber: 'T-er' }], ['receive', undefined]] as const) {
      expect((await post(`/fulfillments/F-er-transfer/${step}`, body)).status).toBe(200);
    }
    const ready = await post('/fulfillments/F-er-counter/ready');
    expect({ status: ready.status, body: await bodyOf(ready) }).toMatchObject({ status: 200, body: { status: 'READY_FOR_PICKUP' } });
  });

  it("reports as the store's own missing units only those it should hold, not a transferred unit its origin could not find", async () => {
    const orderId = 'order-counter-origin-short';
    await created('F-os-transfer', { orderId, locationId: 'WH-PARIS', kind: 'TRANSFER', destinationLocationId: 'ST-LYON', lines: [{ sku: 'SKU-A', quantity: 1 }, { sku: 'SKU-B', quantity: 1 }] });
    await created('F-os-counter', { orderId, locationId: 'ST-LYON', kind: 'PICKUP', reservationId: 'res-os', ownLines: [{ sku: 'SKU-A', quantity: 2 }], lines: [{ sku: 'SKU-A', quantity: 3 }, { sku: 'SKU-B', quantity: 1 }] });
    await post('/fulfillments/F-os-transfer/pick', { lines: [{ sku: 'SKU-A', quantity: 0, reason: 'NOT_FOUND' }, { sku: 'SKU-B', quantity: 1 }] });
    await post('/fulfillments/F-os-transfer/pack', { parcels: [{ weightKg: 1 }] });
    await post('/fulfillments/F-os-transfer/ship', { carrier: 'GLS', trackingNumber: 'T-os' });
    // One of the store's two SKU-A is found; the transfer brings no SKU-A, and its SKU-B is on its way.
    await post('/fulfillments/F-os-counter/pick', { lines: [{ sku: 'SKU-A', quantity: 1, reason: 'NOT_FOUND' }, { sku: 'SKU-B', quantity: 0, reason: 'NOT_FOUND' }] });
    const report = await probe.waitForMessage(Topics.inventoryCommands, (m) => m.headers.ce_type === 'ReportShortPick' && m.value.fulfillmentId === 'F-os-counter');
    expect(report.value.lines).toEqual([{ sku: 'SKU-A', missing: 1, reason: 'NOT_FOUND' }]);
  });

  it('refuses counter steps on the wrong kind of fulfillment', async () => {
    await created('F-parcel');
    // The parcel's own staff are told why too, not answered "not found".
    const parcelStaff = signToken({ sub: 'paul', role: 'staff', locations: ['WH-PARIS'] });
    for (const caller of [undefined, parcelStaff]) {
      for (const step of ['ready', 'collect', 'receive']) {
        const response = await post(`/fulfillments/F-parcel/${step}`, undefined, caller);
        expect(response.status).toBe(409);
        expect((await bodyOf(response)).message).toMatch(/only a (PICKUP|TRANSFER)/);
      }
    }
  });

  it('has inventory consume the reservation in the hand-over itself, so that a collect before the deadline wins over the expiry', async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    await created('F-ereserve', { ...counter, orderId: 'order-ereserve', expiresAt, lines: [{ sku: 'SKU-A', quantity: 1 }] });
    expect((await post('/fulfillments/F-ereserve/ready')).status).toBe(200);
    expect((await post('/fulfillments/F-ereserve/collect')).status).toBe(200);
    const commit = await probe.waitForMessage(Topics.inventoryCommands, (m) => m.headers.ce_type === 'CommitReservation' && m.value.reservationId === 'res-F-ereserve');
    expect(commit.key).toBe('order-ereserve');
    expect(commit.headers.ce_source).toBe('/fil/fulfillment');
    expect(commit.value).toEqual({ reservationId: 'res-F-ereserve', orderId: 'order-ereserve' });
  });

  it('hands over an e-reservation nobody marked ready: announced ready, then collected, and inventory consumes the reservation', async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    await created('F-ereserve-direct', { ...counter, orderId: 'order-ereserve-direct', expiresAt, lines: [{ sku: 'SKU-A', quantity: 1 }] });
    const collected = await post('/fulfillments/F-ereserve-direct/collect');
    expect(collected.status).toBe(200);
    expect((await bodyOf(collected)).history.map((entry: { status: string }) => entry.status)).toEqual(['CREATED', 'READY_FOR_PICKUP', 'COLLECTED']);
    await waitForEvent('F-ereserve-direct', 'FulfillmentCollected');
    const announced = probe.messages(Topics.fulfillmentEvents, (m) => m.value?.fulfillmentId === 'F-ereserve-direct').map((m) => m.value.status);
    expect(announced).toEqual(['CREATED', 'READY_FOR_PICKUP', 'COLLECTED']);
    await probe.waitForMessage(Topics.inventoryCommands, (m) => m.headers.ce_type === 'CommitReservation' && m.value.reservationId === 'res-F-ereserve-direct');
  });

  it('refuses to hand over an e-reservation after its deadline', async () => {
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    await created('F-expired', { ...counter, orderId: 'order-expired', expiresAt });
    expect((await post('/fulfillments/F-expired/ready')).status).toBe(200);
    const ready = await waitForEvent('F-expired', 'FulfillmentReadyForPickup');
    expect(ready.value).toMatchObject({ status: 'READY_FOR_PICKUP', expiresAt });
    await waitFor(() => Date.now() > Date.parse(expiresAt), { what: 'the deadline to pass', intervalMs: 50 });
    const late = await post('/fulfillments/F-expired/collect');
    expect(late.status).toBe(409);
    expect((await bodyOf(late)).message).toMatch(/^cannot collect fulfillment F-expired: the reservation expired at /);
    expect((await getJson('/fulfillments/F-expired')).status).toBe('READY_FOR_PICKUP');
  });
});

describe('staff access', () => {
  const lyonStaff = signToken({ sub: 'lea', role: 'staff', locations: ['ST-ANNECY'] });
  const parisStaff = signToken({ sub: 'paul', role: 'staff', locations: ['WH-PARIS'] });

  beforeAll(async () => {
    await created('F-secure-lyon', { orderId: 'order-secure', locationId: 'ST-ANNECY', kind: 'PICKUP' });
    await created('F-secure-paris', { orderId: 'order-secure', locationId: 'WH-PARIS', kind: 'TRANSFER', destinationLocationId: 'ST-ANNECY' });
  });

  it('answers 401 without a token, with a bad signature, and with an expired token', async () => {
    const missing = await fetch(`${url}/fulfillments/F-secure-lyon`);
    expect(missing.status).toBe(401);
    expect((await bodyOf(missing)).message).toMatch(/bearer token is required/);

    const forged = signToken({ sub: 'mallory', role: 'admin' }, { config: { ...tokenConfig(), key: 'not-the-secret-but-as-long-as-one-32' } });
    const badSignature = await get('/fulfillments/F-secure-lyon', forged);
    expect(badSignature.status).toBe(401);
    expect((await bodyOf(badSignature)).message).toBe('the token is not valid: bad signature, algorithm or format');

    const expired = signToken({ sub: 'lea', role: 'staff', locations: ['ST-ANNECY'] }, { expiresInSeconds: 60, now: Date.now() - 3_600_000 });
    const late = await post('/fulfillments/F-secure-lyon/ready', undefined, expired);
    expect(late.status).toBe(401);
    expect((await bodyOf(late)).message).toBe('the token has expired');
    expect((await getJson('/fulfillments/F-secure-lyon')).status).toBe('CREATED');
  });

  it("answers staff acting on another location's work exactly as for work that does not exist, and changes nothing", async () => {
    const asParis = [
      (id: string) => get(`/fulfillments/${id}`, parisStaff),
      (id: string) => post(`/fulfillments/${id}/ready`, undefined, parisStaff),
      (id: string) => post(`/fulfillments/${id}/pick`, { lines: [{ sku: 'SKU-A', quantity: 2 }] }, parisStaff),
    ];
    for (const call of asParis) {
      const [other, unknown] = [await call('F-secure-lyon'), await call('F-nowhere')];
      expect([other.status, unknown.status]).toEqual([404, 404]);
      expect((await bodyOf(other)).message).toBe('fulfillment F-secure-lyon not found');
      expect((await bodyOf(unknown)).message).toBe('fulfillment F-nowhere not found');
    }
    const list = await get('/fulfillments?locationId=ST-ANNECY', parisStaff);
    expect(list.status).toBe(403);
    expect(JSON.stringify(await bodyOf(list))).not.toMatch(/ST-ANNECY|WH-PARIS/);
    expect((await getJson('/fulfillments/F-secure-lyon')).status).toBe('CREATED');
    // A token without a known role, or a staff token without locations, is not staff.
    expect((await get('/fulfillments/F-secure-lyon', signToken({ sub: 'x', role: 'customer' as never }))).status).toBe(403);
    expect((await get('/fulfillments/F-secure-lyon', signToken({ sub: 'x', role: 'staff' }))).status).toBe(403);
  });

  it('lets staff work at their own location: the origin ships a transfer, the destination store receives it', async () => {
    const pick = { lines: [{ sku: 'SKU-A', quantity: 2 }, { sku: 'SKU-B', quantity: 1 }] };
    expect((await post('/fulfillments/F-secure-paris/pick', pick, parisStaff)).status).toBe(200);
    expect((await post('/fulfillments/F-secure-paris/pack', { parcels: [{ weightKg: 2 }] }, parisStaff)).status).toBe(200);
    expect((await post('/fulfillments/F-secure-paris/ship', { carrier: 'GLS', trackingNumber: 'T-SEC' }, parisStaff)).status).toBe(200);
    expect((await post('/fulfillments/F-secure-paris/receive', undefined, parisStaff)).status).toBe(404);
    // On its way, the transfer is in the destination's list too: that is where staff find what to receive.
    const incoming = await bodyOf(await get('/fulfillments?locationId=ST-ANNECY&status=IN_TRANSIT', lyonStaff));
    expect(incoming.map((f: { id: string }) => f.id)).toEqual(['F-secure-paris']);
    expect((await post('/fulfillments/F-secure-paris/receive', undefined, lyonStaff)).status).toBe(200);
    const atLyon = await bodyOf(await get('/fulfillments?locationId=ST-ANNECY', lyonStaff));
    expect(atLyon.map((f: { id: string; status: string }) => [f.id, f.status])).toEqual([['F-secure-lyon', 'CREATED'], ['F-secure-paris', 'RECEIVED']]);
    expect((await post('/fulfillments/F-secure-lyon/ready', undefined, lyonStaff)).status).toBe(200);
    // Lyon's list shows its counter and the transfer coming to it; Paris's only its own work.
    const lyonList = await bodyOf(await get('/fulfillments?orderId=order-secure', lyonStaff));
    expect(lyonList.map((f: { id: string }) => f.id)).toEqual(['F-secure-lyon', 'F-secure-paris']);
    const parisList = await bodyOf(await get('/fulfillments?orderId=order-secure', parisStaff));
    expect(parisList.map((f: { id: string }) => f.id)).toEqual(['F-secure-paris']);
  });

  it("gives a location's pick list: its open work, oldest first, with the lines", async () => {
    const list = await bodyOf(await get('/fulfillments?locationId=ST-ANNECY&open=true', lyonStaff));
    expect(list.map((f: { id: string; status: string }) => [f.id, f.status])).toEqual([['F-secure-lyon', 'READY_FOR_PICKUP']]);
    expect(list[0].lines).toEqual([
      { sku: 'SKU-A', quantity: 2, picked: 0 },
      { sku: 'SKU-B', quantity: 1, picked: 0 },
    ]);
    const several = await bodyOf(await get('/fulfillments?orderId=order-secure&status=RECEIVED,READY_FOR_PICKUP'));
    expect(several.map((f: { id: string }) => f.id)).toEqual(['F-secure-lyon', 'F-secure-paris']);
  });
});
