import { randomBytes } from 'node:crypto';
import { Topics } from '@fil/contracts';
import { signToken } from '@fil/auth';
import { FilSystem, http, KafkaProbe, useTestEnvironment, waitFor } from '@fil/testing';

useTestEnvironment('e2e-modes');
jest.setTimeout(180_000);

// The four services as processes, on the real broker and database; e-reservations hold for seconds.
const system = new FilSystem();
const probe = new KafkaProbe();
const TTL_SECONDS = 6;

const network = [
  { id: 'WH-LYON', name: 'Entrepôt Lyon', type: 'WAREHOUSE', lat: 45.6967, lng: 4.9439, ship: true, pickup: false, reserve: false },
  { id: 'WH-PARIS', name: 'Entrepôt Paris', type: 'WAREHOUSE', lat: 48.95, lng: 2.45, ship: true, pickup: false, reserve: false },
  { id: 'ST-LYON', name: 'Lyon Part-Dieu', type: 'STORE', lat: 45.7606, lng: 4.8594, ship: false, pickup: true, reserve: true },
  { id: 'WH-CAP', name: 'Petit entrepôt Vénissieux', type: 'WAREHOUSE', lat: 45.70, lng: 4.88, ship: true, pickup: false, reserve: false, dailyCapacity: 1 },
  { id: 'ST-VILLEURBANNE', name: 'Villeurbanne', type: 'STORE', lat: 45.7719, lng: 4.8902, ship: false, pickup: true, reserve: true },
];
const stock: [string, string, number][] = [
  ['WH-LYON', 'SKU-A', 10],
  ['WH-LYON', 'SKU-B', 1],
  ['WH-PARIS', 'SKU-B', 5],
  ['WH-PARIS', 'SKU-C', 5],
  ['ST-LYON', 'SKU-A', 3],
  ['ST-VILLEURBANNE', 'SKU-C', 2],
  ['WH-LYON', 'SKU-D', 1],
  ['WH-PARIS', 'SKU-D', 1],
  ['WH-LYON', 'SKU-E', 1],
  ['WH-PARIS', 'SKU-E', 1],
  ['WH-LYON', 'SKU-F', 2],
  ['WH-PARIS', 'SKU-F', 5],
  ['WH-CAP', 'SKU-G', 5],
  ['ST-LYON', 'SKU-H', 2],
  ['WH-LYON', 'SKU-H', 9],
  ['WH-PARIS', 'SKU-G', 5],
  ['WH-PARIS', 'SKU-T', 3],
  ['ST-VILLEURBANNE', 'SKU-K', 1],
  ['WH-LYON', 'SKU-K', 3],
  ['ST-LYON', 'SKU-X', 1],
  ['ST-LYON', 'SKU-Y', 1],
  ['WH-LYON', 'SKU-Y', 1],
  ['WH-PARIS', 'SKU-Z', 2],
  ['WH-PARIS', 'SKU-W', 2],
  ['WH-PARIS', 'SKU-V', 1],
];
const LYON = { lat: 45.764, lng: 4.8357 };

const inventory = (path: string) => `${system.url('inventory')}${path}`;
const orders = (path: string) => `${system.url('order-orchestrator')}${path}`;
const fulfillments = (path: string) => `${system.url('fulfillment')}${path}`;
// Warehouse and store staff work with bearer tokens; the test acts as an admin of every location.
const ADMIN = signToken({ sub: 'e2e-admin', role: 'admin' });
const staffGet = (path: string) => http('GET', fulfillments(path), undefined, ADMIN);

let sequence = 0;
function submit(deliveryMode: string, lines: [string, number][], extra: Record<string, unknown> = {}): Promise<string> {
  const orderId = `E2E-${(sequence += 1)}-${randomBytes(3).toString('hex')}`;
  const order = {
    orderId,
    channel: 'web',
    deliveryMode,
    customer: { id: `CUST-${orderId}` },
    ...(deliveryMode === 'HOME_DELIVERY' ? { shippingAddress: LYON } : {}),
    lines: lines.map(([sku, quantity], i) => ({ lineId: String(i + 1), sku, quantity, unitPrice: 10 })),
    currency: 'EUR',
    placedAt: new Date().toISOString(),
    ...extra,
  };
  return probe.send(Topics.ordersSubmitted, orderId, order, { ce_specversion: '1.0', ce_id: orderId, ce_type: 'OrderSubmitted', ce_source: '/e2e' }).then(() => orderId);
}

const reached = (orderId: string, status: string, timeoutMs = 30_000) =>
  probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.status === status, timeoutMs);
const statusesOf = (orderId: string) => probe.messages(Topics.ordersEvents, (m) => m.key === orderId).map((m) => m.value.status as string);

/** The fulfillments of an order once there are `count` of them, by id. */
/** A click & collect's two fulfillments: the pickup store's counter and the one transfer to it. */
async function counterAndTransfer(orderId: string): Promise<{ counter: any; transfer: any }> {
  const work = await fulfillmentsOf(orderId, 2);
  return { counter: work.find((f) => f.kind === 'PICKUP'), transfer: work.find((f) => f.kind === 'TRANSFER') };
}

async function fulfillmentsOf(orderId: string, count: number): Promise<any[]> {
  return waitFor(
    async () => {
      const { body } = await staffGet(`/fulfillments?orderId=${orderId}`);
      return body?.length === count ? body : undefined;
    },
    { timeoutMs: 30_000, what: `${count} fulfillment(s) for ${orderId}` },
  );
}

async function step(id: string, name: string, body: unknown = {}): Promise<{ status: number; body: any }> {
  return http('POST', fulfillments(`/fulfillments/${id}/${name}`), body, ADMIN);
}

/** Whether the order knows its transfer reached `status`. */
const transferIs = (orderId: string, status: string) => async () =>
  (await http('GET', orders(`/orders/${orderId}`), undefined, ADMIN)).body.allocationHistory.some((a: any) => a.kind === 'TRANSFER' && a.fulfillmentStatus === status);

/** Picks every unit, packs and ships. */
async function shipAll(fulfillment: any): Promise<void> {
  expect((await step(fulfillment.id, 'pick', { lines: fulfillment.lines.map(({ sku, quantity }: any) => ({ sku, quantity })) })).status).toBe(200);
  expect((await step(fulfillment.id, 'pack', { parcels: [{ weightKg: 1 }] })).status).toBe(200);
  expect((await step(fulfillment.id, 'ship', { carrier: 'Colissimo', trackingNumber: `T-${fulfillment.id}` })).status).toBe(200);
}

/** Staff gather the counter's units (when `picked` is given), mark it ready and hand it over: the order's COLLECTED event. */
async function handOver(orderId: string, counterId: string, picked?: { sku: string; quantity: number }[]) {
  if (picked) expect((await step(counterId, 'pick', { lines: picked })).status).toBe(200);
  expect((await step(counterId, 'ready')).status).toBe(200);
  await reached(orderId, 'READY_FOR_PICKUP');
  expect((await step(counterId, 'collect')).status).toBe(200);
  return reached(orderId, 'COLLECTED');
}

async function atp(locationId: string, sku: string): Promise<{ onHand: number; reserved: number; atp: number }> {
  const { body } = await http('GET', inventory(`/stock/${sku}`));
  return body.find((row: any) => row.locationId === locationId);
}

beforeAll(async () => {
  await probe.start([Topics.ordersEvents, Topics.dlq]);
  await system.start({ FIL_TRACING: 'off', FIL_E_RESERVATION_TTL_SECONDS: String(TTL_SECONDS), FIL_EXPIRY_POLL_MS: '200', FIL_EXPIRY_GRACE_SECONDS: '1' });
  for (const { id, ...location } of network) expect((await http('PUT', inventory(`/locations/${id}`), location)).status).toBe(200);
  for (const [locationId, sku, onHand] of stock) {
    expect((await http('PUT', inventory(`/locations/${locationId}/stock/${sku}`), { onHand, safetyStock: 0 })).status).toBe(200);
  }
  // The orchestrator routes on its own views, fed by the locations and stock-levels topics.
  await waitFor(
    async () => {
      const { body } = await http('GET', orders('/availability?skus=SKU-A,SKU-B,SKU-C,SKU-D,SKU-E,SKU-F,SKU-G,SKU-H,SKU-T,SKU-K,SKU-X,SKU-Y,SKU-Z,SKU-W,SKU-V'));
      return body?.length === stock.length;
    },
    { timeoutMs: 30_000, what: "the orchestrator's view of the seeded stock" },
  );
});

afterAll(async () => {
  await system.stop();
  await probe.stop();
});

describe('home delivery', () => {
  it('ships a basket no single location holds as two parcels, and is DELIVERED when both are', async () => {
    const orderId = await submit('HOME_DELIVERY', [
      ['SKU-A', 2],
      ['SKU-C', 1],
    ]);
    const allocated = await reached(orderId, 'ALLOCATED');
    expect(allocated.value.allocations.map((a: any) => [a.locationId, a.kind, a.lines])).toEqual([
      ['WH-LYON', 'SHIP', [{ sku: 'SKU-A', quantity: 2 }]],
      ['WH-PARIS', 'SHIP', [{ sku: 'SKU-C', quantity: 1 }]],
    ]);
    const [first, second] = await fulfillmentsOf(orderId, 2);
    await shipAll(first);
    await shipAll(second);
    await reached(orderId, 'SHIPPED');
    for (const fulfillment of [first, second]) expect((await step(fulfillment.id, 'deliver')).status).toBe(200);
    await reached(orderId, 'DELIVERED');
    // The first parcel delivered is announced (SHIPPED again, its fulfillmentStatus DELIVERED), then the second makes it DELIVERED.
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'IN_FULFILLMENT', 'IN_FULFILLMENT', 'SHIPPED', 'SHIPPED', 'DELIVERED']);
    await waitFor(async () => (await atp('WH-PARIS', 'SKU-C')).onHand === 4, { what: 'the shipped unit consumed at WH-PARIS' });
  });

  it('serves two orders racing for the last unit from two warehouses, never overselling', async () => {
    const [one, two] = await Promise.all([submit('HOME_DELIVERY', [['SKU-D', 1]]), submit('HOME_DELIVERY', [['SKU-D', 1]])]);
    const [first, second] = await Promise.all([reached(one, 'ALLOCATED'), reached(two, 'ALLOCATED')]);
    const places = [first, second].map((event) => event.value.allocations[0].locationId).sort();
    expect(places).toEqual(['WH-LYON', 'WH-PARIS']);
    expect(await atp('WH-LYON', 'SKU-D')).toMatchObject({ reserved: 1, atp: 0 });
    expect(await atp('WH-PARIS', 'SKU-D')).toMatchObject({ reserved: 1, atp: 0 });
  });

  it('re-routes a part when a stock count leaves its location short, to another location and a new fulfillment', async () => {
    const orderId = await submit('HOME_DELIVERY', [['SKU-E', 1]]);
    const allocated = await reached(orderId, 'ALLOCATED');
    expect(allocated.value.allocations[0].locationId).toBe('WH-LYON');
    await fulfillmentsOf(orderId, 1);
    await probe.send(Topics.inventoryAdjustments, 'WH-LYON:SKU-E', { adjustmentId: `count-${orderId}`, locationId: 'WH-LYON', sku: 'SKU-E', mode: 'SET', quantity: 0, reason: 'cycle count' });
    const moved = await probe.waitForMessage(
      Topics.ordersEvents,
      (m) => m.key === orderId && m.value.allocations.some((a: any) => a.locationId === 'WH-PARIS'),
      30_000,
    );
    expect(moved.value).toMatchObject({ status: 'ALLOCATED', allocations: [{ locationId: 'WH-PARIS', lines: [{ sku: 'SKU-E', quantity: 1 }] }] });
    const all = await fulfillmentsOf(orderId, 2);
    await waitFor(async () => (await staffGet(`/fulfillments/${all[0].id}`)).body.status === 'CANCELLED', { what: 'the first fulfillment called off' });
    expect(all[1]).toMatchObject({ locationId: 'WH-PARIS', status: 'CREATED' });
    await waitFor(async () => (await atp('WH-LYON', 'SKU-E')).reserved === 0, { what: 'the short hold released' });
    const { body } = await http('GET', orders(`/orders/${orderId}`));
    expect(body.routing.map((r: any) => r.cause)).toEqual(['initial routing', expect.stringMatching(/^re-route: stock shortage of SKU-E at WH-LYON/)]);
  });
});

describe('daily capacity', () => {
  it('sends no more work to a location once it has started its daily capacity of fulfillments', async () => {
    const first = await submit('HOME_DELIVERY', [['SKU-G', 1]]);
    expect((await reached(first, 'ALLOCATED')).value.allocations[0].locationId).toBe('WH-CAP');
    const second = await submit('HOME_DELIVERY', [['SKU-G', 1]]);
    expect((await reached(second, 'ALLOCATED')).value.allocations[0].locationId).toBe('WH-PARIS');
    const { body } = await http('GET', orders(`/orders/${second}`));
    expect(body.routing[0].explanation.candidates).toContainEqual({ locationId: 'WH-CAP', filteredOut: 'AT_DAILY_CAPACITY' });
  });
});

describe('short picks', () => {
  // PRODUCT.md names NOT_FOUND and DAMAGED "such as": a picker's own words count the same.
  it('takes units a picker could not find out of stock, sends them from another location, and the order still completes', async () => {
    const orderId = await submit('HOME_DELIVERY', [['SKU-F', 2]]);
    const allocated = await reached(orderId, 'ALLOCATED');
    expect(allocated.value.allocations[0]).toMatchObject({ locationId: 'WH-LYON', lines: [{ sku: 'SKU-F', quantity: 2 }] });
    const [first] = await fulfillmentsOf(orderId, 1);
    const picked = await step(first.id, 'pick', { lines: [{ sku: 'SKU-F', quantity: 1, reason: 'WRONG_ITEM_ON_SHELF' }] });
    expect(picked.status).toBe(200);
    // The missing unit is gone from Lyon's shelf and from its reservation.
    await waitFor(async () => (await atp('WH-LYON', 'SKU-F')).onHand === 1, { what: 'the missing unit out of on-hand' });
    expect(await atp('WH-LYON', 'SKU-F')).toMatchObject({ reserved: 1, atp: 0 });
    const all = await fulfillmentsOf(orderId, 2);
    const second = all.find((f) => f.id !== first.id);
    expect(second).toMatchObject({ locationId: 'WH-PARIS', lines: [{ sku: 'SKU-F', quantity: 1, picked: 0 }] });
    expect((await step(first.id, 'pack', { parcels: [{ weightKg: 1 }] })).status).toBe(200);
    expect((await step(first.id, 'ship', { carrier: 'Colissimo', trackingNumber: `T-${first.id}` })).status).toBe(200);
    await shipAll(second);
    await reached(orderId, 'SHIPPED');
    for (const fulfillment of [first, second]) expect((await step(fulfillment.id, 'deliver')).status).toBe(200);
    await reached(orderId, 'DELIVERED');
    await waitFor(async () => (await atp('WH-PARIS', 'SKU-F')).onHand === 4, { what: 'the re-routed unit consumed in Paris' });
    expect(await atp('WH-LYON', 'SKU-F')).toMatchObject({ onHand: 0, reserved: 0 });
    const { body } = await http('GET', orders(`/orders/${orderId}`));
    expect(body.routing.at(-1).cause).toMatch(/^re-route: short pick at WH-LYON .*1 × SKU-F not found/);
  });
});

describe('click & collect', () => {
  it("picks the store's own units, transfers the rest from a warehouse, and is ready only when the transfer has arrived", async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-A', 2], ['SKU-B', 2]], { pickupLocationId: 'ST-LYON' });
    const allocated = await reached(orderId, 'ALLOCATED');
    expect(allocated.value.allocations.map((a: any) => [a.locationId, a.kind, a.lines])).toEqual([
      ['ST-LYON', 'PICKUP', [{ sku: 'SKU-A', quantity: 2 }]],
      // WH-LYON holds only 1 × SKU-B: the 2 come whole from Paris.
      ['WH-PARIS', 'TRANSFER', [{ sku: 'SKU-B', quantity: 2 }]],
    ]);
    const { counter, transfer } = await counterAndTransfer(orderId);
    expect(counter).toMatchObject({ locationId: 'ST-LYON', lines: [{ sku: 'SKU-A', quantity: 2 }, { sku: 'SKU-B', quantity: 2 }] });
    expect(transfer.destinationLocationId).toBe('ST-LYON');

    const early = await step(counter.id, 'ready');
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/have not been received at ST-LYON yet/);
    await shipAll(transfer);
    expect((await step(transfer.id, 'receive')).status).toBe(200);
    expect((await step(counter.id, 'ready')).status).toBe(200);
    await reached(orderId, 'READY_FOR_PICKUP');
    expect((await step(counter.id, 'collect')).status).toBe(200);
    await reached(orderId, 'COLLECTED');
    // Cancelling now is too late, and says why.
    const late = await http('POST', orders(`/orders/${orderId}/cancel`), { reason: 'changed my mind' });
    expect(late.status).toBe(409);
    await waitFor(async () => (await atp('ST-LYON', 'SKU-A')).onHand === 1, { what: "the store's units consumed at collection" });
    expect(await atp('ST-LYON', 'SKU-A')).toMatchObject({ reserved: 0 });
    expect(await atp('WH-PARIS', 'SKU-B')).toMatchObject({ onHand: 3, reserved: 0 });
  });
});

describe('click & collect from the store alone', () => {
  it('serves the whole order from the pickup store when it holds it, without a transfer', async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-H', 2]], { pickupLocationId: 'ST-LYON' });
    const allocated = await reached(orderId, 'ALLOCATED');
    // The warehouse holds more, but the store's own stock comes first.
    expect(allocated.value.allocations.map((a: any) => [a.locationId, a.kind, a.lines])).toEqual([['ST-LYON', 'PICKUP', [{ sku: 'SKU-H', quantity: 2 }]]]);
    const [counter] = await fulfillmentsOf(orderId, 1);
    await handOver(orderId, counter.id, [{ sku: 'SKU-H', quantity: 2 }]);
    await waitFor(async () => (await atp('ST-LYON', 'SKU-H')).onHand === 0, { what: "the store's units consumed" });
    expect(await atp('WH-LYON', 'SKU-H')).toMatchObject({ onHand: 9, reserved: 0 });
  });
});

describe('click & collect short at the counter', () => {
  it('is not ready while the unit the counter could not find is on its way from a warehouse, then collected whole', async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-K', 1]], { pickupLocationId: 'ST-VILLEURBANNE' });
    await reached(orderId, 'ALLOCATED');
    const [counter] = await fulfillmentsOf(orderId, 1);
    expect((await step(counter.id, 'pick', { lines: [{ sku: 'SKU-K', quantity: 0, reason: 'NOT_FOUND' }] })).status).toBe(200);
    const tooSoon = await step(counter.id, 'ready');
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.message).toMatch(/SKU-K 1 missing at the pick has not arrived at ST-VILLEURBANNE yet/);

    const transfer = (await fulfillmentsOf(orderId, 2)).find((fulfillment) => fulfillment.kind === 'TRANSFER');
    expect(transfer).toMatchObject({ locationId: 'WH-LYON', destinationLocationId: 'ST-VILLEURBANNE', lines: [{ sku: 'SKU-K', quantity: 1, picked: 0 }] });
    await shipAll(transfer);
    expect((await step(transfer.id, 'receive')).status).toBe(200);
    expect((await handOver(orderId, counter.id)).value.backordered ?? []).toEqual([]);
    // The store's missing unit left its stock; the warehouse's unit travelled and was consumed.
    await waitFor(async () => (await atp('WH-LYON', 'SKU-K')).onHand === 2, { what: "the warehouse's unit consumed" });
    expect(await atp('ST-VILLEURBANNE', 'SKU-K')).toMatchObject({ onHand: 0, reserved: 0 });
  });
});

describe('click & collect with a unit nobody holds', () => {
  it('opens the counter once the backorder is served, listing every unit: the stock taken out is what the customer collected', async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-X', 2]], { pickupLocationId: 'ST-LYON' });
    const partial = await reached(orderId, 'PARTIALLY_ALLOCATED');
    expect(partial.value.backordered).toEqual([{ sku: 'SKU-X', quantity: 1 }]);
    // Nothing for the store to gather yet: a counter now would be ready, and collected, with a unit missing.
    expect((await staffGet(`/fulfillments?orderId=${orderId}`)).body).toEqual([]);

    expect((await http('PUT', inventory('/locations/ST-LYON/stock/SKU-X'), { onHand: 3, safetyStock: 0 })).status).toBe(200);
    await reached(orderId, 'ALLOCATED');
    const [counter] = await fulfillmentsOf(orderId, 1);
    expect(counter).toMatchObject({ kind: 'PICKUP', locationId: 'ST-LYON', lines: [{ sku: 'SKU-X', quantity: 2, picked: 0 }] });
    await handOver(orderId, counter.id, [{ sku: 'SKU-X', quantity: 2 }]);
    await waitFor(async () => (await atp('ST-LYON', 'SKU-X')).reserved === 0, { what: 'both reservations consumed' });
    expect(await atp('ST-LYON', 'SKU-X')).toMatchObject({ onHand: 1, reserved: 0 });
  });
});

describe('click & collect whose transfer comes short', () => {
  it('is not ready while the unit its transfer did not find is missing, then ready once another transfer brings it', async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-Y', 2]], { pickupLocationId: 'ST-LYON' });
    await reached(orderId, 'ALLOCATED');
    const { counter, transfer } = await counterAndTransfer(orderId);
    expect((await step(transfer.id, 'pick', { lines: [{ sku: 'SKU-Y', quantity: 0, reason: 'NOT_FOUND' }] })).status).toBe(200);
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.backordered?.length > 0);
    const early = await step(counter.id, 'ready');
    expect(early).toMatchObject({ status: 409, body: { message: expect.stringMatching(/SKU-Y 1 to come by transfer has not arrived at ST-LYON yet/) } });

    // Stock arrives elsewhere: the backorder travels as a new transfer, and the counter is ready once it is received.
    expect((await http('PUT', inventory('/locations/WH-PARIS/stock/SKU-Y'), { onHand: 1, safetyStock: 0 })).status).toBe(200);
    const [replacement] = (await fulfillmentsOf(orderId, 3)).filter((f) => f.kind === 'TRANSFER' && f.id !== transfer.id);
    expect(replacement).toMatchObject({ locationId: 'WH-PARIS', lines: [{ sku: 'SKU-Y', quantity: 1, picked: 0 }] });
    await shipAll(replacement);
    expect((await step(replacement.id, 'receive')).status).toBe(200);
    expect((await handOver(orderId, counter.id)).value.backordered ?? []).toEqual([]);
  });

  it('is made ready by its only transfer even when staff looked at the counter before it arrived', async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-Z', 1]], { pickupLocationId: 'ST-LYON' });
    await reached(orderId, 'ALLOCATED');
    const { counter, transfer } = await counterAndTransfer(orderId);
    expect((await step(counter.id, 'pick', { lines: [{ sku: 'SKU-Z', quantity: 0, reason: 'NOT_FOUND' }] })).status).toBe(200);
    await shipAll(transfer);
    expect((await step(transfer.id, 'receive')).status).toBe(200);
    await reached(orderId, 'READY_FOR_PICKUP');
  });
});

describe('click & collect by transfer alone', () => {
  it('is ready for pickup once the transfer arrives: the store has nothing of its own to gather', async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-T', 1]], { pickupLocationId: 'ST-LYON' });
    const allocated = await reached(orderId, 'ALLOCATED');
    expect(allocated.value.allocations.map((a: any) => [a.locationId, a.kind])).toEqual([['WH-PARIS', 'TRANSFER']]);
    const { counter, transfer } = await counterAndTransfer(orderId);
    await shipAll(transfer);
    expect((await step(transfer.id, 'receive')).status).toBe(200);
    const ready = await reached(orderId, 'READY_FOR_PICKUP');
    expect(ready.value.reason).toBe("every part is at ST-LYON's counter");
    expect((await step(counter.id, 'collect')).status).toBe(200);
    await reached(orderId, 'COLLECTED');
    await waitFor(async () => (await atp('WH-PARIS', 'SKU-T')).onHand === 2, { what: 'the transferred unit consumed' });
  });
});

describe('e-reservation', () => {
  // Staff mark it collected when the customer has tried and paid (PRODUCT.md): no ready step is needed first.
  it('reserves in store and is collected before its TTL, consuming the stock', async () => {
    const orderId = await submit('E_RESERVATION', [['SKU-C', 1]], { pickupLocationId: 'ST-VILLEURBANNE' });
    await reached(orderId, 'RESERVED');
    const [counter] = await fulfillmentsOf(orderId, 1);
    expect((await step(counter.id, 'collect')).status).toBe(200);
    await reached(orderId, 'COLLECTED');
    const { body } = await http('GET', orders(`/orders/${orderId}`));
    expect(body.timeline.map((entry: { to: string }) => entry.to)).toEqual(['RECEIVED', 'RESERVED', 'READY_FOR_PICKUP', 'COLLECTED']);
    await waitFor(async () => (await atp('ST-VILLEURBANNE', 'SKU-C')).onHand === 1, { what: 'the collected unit consumed' });
  });

  it('expires after its TTL: EXPIRED, the stock back in ATP, and the goods can no longer be collected', async () => {
    const orderId = await submit('E_RESERVATION', [['SKU-C', 1]], { pickupLocationId: 'ST-VILLEURBANNE' });
    await reached(orderId, 'RESERVED');
    expect(await atp('ST-VILLEURBANNE', 'SKU-C')).toMatchObject({ reserved: 1, atp: 0 });
    const [counter] = await fulfillmentsOf(orderId, 1);
    const expired = await reached(orderId, 'EXPIRED', (TTL_SECONDS + 20) * 1000);
    expect(expired.value.reason).toMatch(/not collected in time/);
    await waitFor(async () => (await atp('ST-VILLEURBANNE', 'SKU-C')).atp === 1, { what: 'the unit back in ATP' });
    await waitFor(async () => (await staffGet(`/fulfillments/${counter.id}`)).body.status === 'CANCELLED', { what: 'the counter called off' });
    expect((await step(counter.id, 'collect')).status).toBe(409);
  });

  it('is rejected with NOT_AVAILABLE_IN_STORE, naming the nearest store that has it', async () => {
    const orderId = await submit('E_RESERVATION', [['SKU-C', 1]], { pickupLocationId: 'ST-LYON' });
    const rejected = await reached(orderId, 'REJECTED');
    expect(rejected.value.reason).toMatch(/^NOT_AVAILABLE_IN_STORE/);
    expect(rejected.value.alternatives).toEqual([{ locationId: 'ST-VILLEURBANNE', distanceKm: expect.any(Number) }]);
  });
});

describe('click & collect cancelled', () => {
  it('is cancelled once its transfer has arrived: the counter called off, the transferred unit put in stock at the pickup store', async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-T', 1]], { pickupLocationId: 'ST-LYON' });
    await reached(orderId, 'ALLOCATED');
    const { counter, transfer } = await counterAndTransfer(orderId);
    await shipAll(transfer);
    expect((await step(transfer.id, 'receive')).status).toBe(200);
    await reached(orderId, 'READY_FOR_PICKUP');
    const before = (await atp('ST-LYON', 'SKU-T'))?.onHand ?? 0;

    const cancelled = await http('POST', orders(`/orders/${orderId}/cancel`), { reason: 'customer no longer wants it' }, ADMIN);
    expect(cancelled.status).toBe(200);
    await reached(orderId, 'CANCELLED');
    await waitFor(async () => (await staffGet(`/fulfillments/${counter.id}`)).body.status === 'CANCELLED', { what: 'the counter called off' });
    await waitFor(async () => (await atp('ST-LYON', 'SKU-T'))?.onHand === before + 1, { what: 'the transferred unit in stock at ST-LYON' });
    expect(await atp('ST-LYON', 'SKU-T')).toMatchObject({ reserved: 0, atp: before + 1 });
    expect((await step(counter.id, 'collect')).status).toBe(409);
    expect(probe.messages(Topics.dlq, (m) => m.key?.includes('SKU-T') || m.key === orderId)).toEqual([]);
  });

  it('is cancelled while its transfer is on its way: the unit is counted in at the pickup store once received there', async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-W', 1]], { pickupLocationId: 'ST-LYON' });
    await reached(orderId, 'ALLOCATED');
    const { counter, transfer } = await counterAndTransfer(orderId);
    await shipAll(transfer);
    await waitFor(transferIs(orderId, 'IN_TRANSIT'), { what: 'the order knowing its transfer left' });

    const cancelled = await http('POST', orders(`/orders/${orderId}/cancel`), { reason: 'customer no longer wants it' }, ADMIN);
    expect(cancelled.status).toBe(200);
    await reached(orderId, 'CANCELLED');
    await waitFor(async () => (await staffGet(`/fulfillments/${counter.id}`)).body.status === 'CANCELLED', { what: 'the counter called off' });
    // The unit left WH-PARIS for good; it is in no stock until the store has it in hand.
    await waitFor(async () => (await atp('WH-PARIS', 'SKU-W'))?.onHand === 1, { what: 'the unit taken out of WH-PARIS' });
    expect((await atp('ST-LYON', 'SKU-W'))?.onHand ?? 0).toBe(0);

    expect((await step(transfer.id, 'receive')).status).toBe(200);
    await waitFor(async () => (await atp('ST-LYON', 'SKU-W'))?.onHand === 1, { what: 'the transferred unit in stock at ST-LYON' });
    expect(await atp('ST-LYON', 'SKU-W')).toMatchObject({ reserved: 0, atp: 1 });
    await waitFor(transferIs(orderId, 'RECEIVED'), { what: 'the order knowing its transfer arrived' });
    expect(statusesOf(orderId).at(-1)).toBe('CANCELLED');
    expect(probe.messages(Topics.dlq, (m) => m.key?.includes('SKU-W') || m.key === orderId)).toEqual([]);
  });

  it('is cancelled while its transfer is on its way and a line is still backordered (no counter yet): the unit is counted in at the store once received', async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-V', 1], ['SKU-NOWHERE', 1]], { pickupLocationId: 'ST-VILLEURBANNE' });
    await reached(orderId, 'PARTIALLY_ALLOCATED');
    const [transfer] = await fulfillmentsOf(orderId, 1);
    expect(transfer).toMatchObject({ kind: 'TRANSFER', locationId: 'WH-PARIS' });
    await shipAll(transfer);
    await waitFor(transferIs(orderId, 'IN_TRANSIT'), { what: 'the order knowing its transfer left' });

    const cancelled = await http('POST', orders(`/orders/${orderId}/cancel`), { reason: 'customer no longer wants it' }, ADMIN);
    expect(cancelled.status).toBe(200);
    await reached(orderId, 'CANCELLED');
    await waitFor(async () => (await atp('WH-PARIS', 'SKU-V'))?.onHand === 0, { what: 'the unit taken out of WH-PARIS' });

    expect((await step(transfer.id, 'receive')).status).toBe(200);
    await waitFor(async () => (await atp('ST-VILLEURBANNE', 'SKU-V'))?.onHand === 1, { what: 'the transferred unit in stock at ST-VILLEURBANNE' });
    expect(await atp('ST-VILLEURBANNE', 'SKU-V')).toMatchObject({ reserved: 0, atp: 1 });
    expect(statusesOf(orderId).at(-1)).toBe('CANCELLED');
    expect(probe.messages(Topics.dlq, (m) => m.key?.includes('SKU-V') || m.key === orderId)).toEqual([]);
  });
});

describe('cancellation and the customer view', () => {
  it('cancels over Kafka: every hold released, the fulfillment called off', async () => {
    const orderId = await submit('HOME_DELIVERY', [['SKU-A', 4]]);
    await reached(orderId, 'ALLOCATED');
    const [fulfillment] = await fulfillmentsOf(orderId, 1);
    expect(await atp('WH-LYON', 'SKU-A')).toMatchObject({ reserved: 4 });
    await probe.send(Topics.ordersCommands, orderId, { orderId, reason: 'customer called' }, { ce_specversion: '1.0', ce_id: `cancel-${orderId}`, ce_type: 'CancelOrder', ce_source: '/e2e' });
    await reached(orderId, 'CANCELLED');
    await waitFor(async () => (await atp('WH-LYON', 'SKU-A')).reserved === 0, { what: 'the hold released' });
    await waitFor(async () => (await staffGet(`/fulfillments/${fulfillment.id}`)).body.status === 'CANCELLED', { what: 'the fulfillment called off' });
  });

  it("lists one customer's orders from every channel, newest first, with their states", async () => {
    const customer = { id: `CUST-MULTI-${randomBytes(3).toString('hex')}` };
    const web = await submit('HOME_DELIVERY', [['SKU-A', 1]], { customer, channel: 'web' });
    await reached(web, 'ALLOCATED');
    const app = await submit('E_RESERVATION', [['SKU-A', 1]], { customer, channel: 'app', pickupLocationId: 'ST-LYON' });
    await reached(app, 'RESERVED');
    const pos = await submit('HOME_DELIVERY', [['SKU-NOWHERE', 1]], { customer, channel: 'store-pos' });
    await reached(pos, 'PARTIALLY_ALLOCATED');
    const { status, body } = await http('GET', orders(`/orders?customerId=${customer.id}`));
    expect(status).toBe(200);
    expect(body.map((o: any) => [o.orderId, o.channel, o.status])).toEqual([
      [pos, 'store-pos', 'PARTIALLY_ALLOCATED'],
      [app, 'app', 'RESERVED'],
      [web, 'web', 'ALLOCATED'],
    ]);
  });
});
