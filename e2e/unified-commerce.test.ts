import { randomBytes, randomUUID } from 'node:crypto';
import { StockAlertTypes, Topics } from '@fil/contracts';
import { FilSystem, http, KafkaProbe, useTestEnvironment, waitFor } from '@fil/testing';

useTestEnvironment('e2e-unified');
jest.setTimeout(180_000);

// The four services as processes: a promise, then the order placed right after it; a low-stock
// alert caused by an order; a replenishment suggestion after sales at the till.
const system = new FilSystem();
const probe = new KafkaProbe();

const network = [
  { id: 'WH-LYON', name: 'Entrepôt Lyon', type: 'WAREHOUSE', lat: 45.6967, lng: 4.9439, ship: true, pickup: false, reserve: false, processingHours: 24, cutOffHour: 16 },
  { id: 'WH-PARIS', name: 'Entrepôt Paris', type: 'WAREHOUSE', lat: 48.95, lng: 2.45, ship: true, pickup: false, reserve: false, processingHours: 12 },
  { id: 'ST-LYON', name: 'Lyon Part-Dieu', type: 'STORE', lat: 45.7606, lng: 4.8594, ship: false, pickup: true, reserve: true, processingHours: 2, opensAt: '09:00', closesAt: '20:00' },
  { id: 'ST-VILLEURBANNE', name: 'Villeurbanne', type: 'STORE', lat: 45.7719, lng: 4.8902, ship: false, pickup: true, reserve: true },
];
const stock: [string, string, number][] = [
  ['WH-LYON', 'SKU-A', 40],
  ['WH-PARIS', 'SKU-C', 5],
  ['ST-LYON', 'SKU-A', 6],
  ['ST-VILLEURBANNE', 'SKU-A', 1],
  ['WH-LYON', 'SKU-E', 10],
  ['WH-LYON', 'SKU-F', 10],
  ['WH-PARIS', 'SKU-F', 10],
];
const LYON = { lat: 45.764, lng: 4.8357 };

const inventory = (path: string) => `${system.url('inventory')}${path}`;
const orders = (path: string) => `${system.url('order-orchestrator')}${path}`;

function submit(deliveryMode: string, lines: [string, number][], extra: Record<string, unknown>): Promise<string> {
  const orderId = `UC-${randomBytes(4).toString('hex')}`;
  const order = {
    orderId,
    channel: 'web',
    deliveryMode,
    customer: { id: `CUST-${orderId}` },
    lines: lines.map(([sku, quantity], i) => ({ lineId: String(i + 1), sku, quantity, unitPrice: 10 })),
    currency: 'EUR',
    placedAt: new Date().toISOString(),
    ...extra,
  };
  return probe.send(Topics.ordersSubmitted, orderId, order, { ce_specversion: '1.0', ce_id: orderId, ce_type: 'OrderSubmitted', ce_source: '/e2e' }).then(() => orderId);
}
const orderEvent = (orderId: string, type: string, after = 0) =>
  probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.headers.ce_type === type && probe.messages(Topics.ordersEvents, (o) => o.key === orderId).indexOf(m) >= after, 30_000);
const eventsOf = (orderId: string) => probe.messages(Topics.ordersEvents, (m) => m.key === orderId);
const atp = async (locationId: string, sku: string) => (await http('GET', inventory(`/stock/${sku}`))).body.find((row: any) => row.locationId === locationId);
const fulfillmentsOf = (orderId: string, count: number) =>
  waitFor(async () => ((await http('GET', `${system.url('fulfillment')}/fulfillments?orderId=${orderId}`)).body ?? []).filter((f: any) => f.status !== 'CANCELLED').length === count && (await http('GET', `${system.url('fulfillment')}/fulfillments?orderId=${orderId}`)).body, {
    timeoutMs: 30_000,
    what: `${count} live fulfillment(s) of ${orderId}`,
  });
const allocated = (orderId: string) => probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.status === 'ALLOCATED', 30_000);
const where = (parts: { locationId: string; kind: string; lines: unknown[] }[]) => parts.map(({ locationId, kind, lines }) => ({ locationId, kind, lines }));

beforeAll(async () => {
  await probe.start([Topics.ordersEvents, Topics.stockAlerts]);
  await system.start({ FIL_TRACING: 'off' });
  for (const { id, ...location } of network) expect((await http('PUT', inventory(`/locations/${id}`), location)).status).toBe(200);
  for (const [locationId, sku, onHand] of stock) expect((await http('PUT', inventory(`/locations/${locationId}/stock/${sku}`), { onHand })).status).toBe(200);
  await waitFor(async () => (await http('GET', orders('/availability?skus=SKU-A,SKU-C,SKU-E,SKU-F'))).body?.length === stock.length, {
    timeoutMs: 30_000,
    what: "the orchestrator's view of the seeded stock",
  });
});

afterAll(async () => {
  await system.stop();
  await probe.stop();
});

describe('delivery promise', () => {
  it('promises home delivery from the locations the order placed right after is allocated to, with the day each parcel arrives', async () => {
    const { status, body } = await http('GET', orders(`/promise?skus=SKU-A,SKU-C&quantities=2,1&lat=${LYON.lat}&lng=${LYON.lng}`));
    expect(status).toBe(200);
    expect(body.homeDelivery).toMatchObject({ available: true, backordered: [] });
    expect(where(body.homeDelivery.shipments)).toEqual([
      { locationId: 'WH-LYON', kind: 'SHIP', lines: [{ sku: 'SKU-A', quantity: 2 }] },
      { locationId: 'WH-PARIS', kind: 'SHIP', lines: [{ sku: 'SKU-C', quantity: 1 }] },
    ]);
    // No day before tomorrow: both warehouses take half a day or more, then at least a day on the road.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    for (const shipment of body.homeDelivery.shipments) expect(shipment.estimatedDelivery >= tomorrow).toBe(true);
    expect(body.homeDelivery.estimatedDelivery).toBe(body.homeDelivery.shipments.map((s: any) => s.estimatedDelivery).sort().at(-1));

    const orderId = await submit('HOME_DELIVERY', [['SKU-A', 2], ['SKU-C', 1]], { shippingAddress: LYON });
    expect(where((await allocated(orderId)).value.allocations)).toEqual(where(body.homeDelivery.shipments));
  });

  it('promises click & collect with the part the store holds and a transfer for the rest, as the order is then allocated, and when it is ready', async () => {
    const { body } = await http('GET', orders('/promise?skus=SKU-A,SKU-C&storeId=ST-LYON'));
    expect(body.homeDelivery).toBeNull();
    expect(body.clickAndCollect).toMatchObject({ storeId: 'ST-LYON', available: true });
    expect(where(body.clickAndCollect.parts)).toEqual([
      { locationId: 'ST-LYON', kind: 'PICKUP', lines: [{ sku: 'SKU-A', quantity: 1 }] },
      { locationId: 'WH-PARIS', kind: 'TRANSFER', lines: [{ sku: 'SKU-C', quantity: 1 }] },
    ]);
    // A transfer of some 400 km: ready no sooner than two days from now, in opening hours.
    const readyAt = new Date(body.clickAndCollect.readyAt);
    expect(readyAt.getTime()).toBeGreaterThan(Date.now() + 2 * 86_400_000);
    expect(readyAt.toISOString().slice(11, 16) >= '09:00' && readyAt.toISOString().slice(11, 16) < '20:00').toBe(true);
    expect(body.eReservation.atStore).toEqual({ storeId: 'ST-LYON', available: false, reason: 'NOT_AVAILABLE_IN_STORE' });

    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-A', 1], ['SKU-C', 1]], { pickupLocationId: 'ST-LYON' });
    expect(where((await allocated(orderId)).value.allocations)).toEqual(where(body.clickAndCollect.parts));
  });

  it('lists the stores near the customer that hold the whole basket for an e-reservation, nearest first', async () => {
    const { body } = await http('GET', orders(`/promise?skus=SKU-A&quantities=1&lat=${LYON.lat}&lng=${LYON.lng}`));
    expect(body.eReservation.stores.map((store: any) => store.locationId)).toEqual(['ST-LYON', 'ST-VILLEURBANNE']);
    const twoUnits = await http('GET', orders(`/promise?skus=SKU-A&quantities=2&lat=${LYON.lat}&lng=${LYON.lng}`));
    expect(twoUnits.body.eReservation.stores.map((store: any) => store.locationId)).toEqual(['ST-LYON']);
  });

  it('refuses a basket without an address or a store, and quantities that do not match the SKUs', async () => {
    expect((await http('GET', orders('/promise?skus=SKU-A'))).status).toBe(400);
    expect((await http('GET', orders('/promise?skus=SKU-A,SKU-C&quantities=1&storeId=ST-LYON'))).status).toBe(400);
    expect((await http('GET', orders('/promise?skus=SKU A&storeId=ST-LYON'))).status).toBe(400);
  });
});

it("announces StockLow when an order's reservation takes a warehouse to its reorder point", async () => {
  expect((await http('PUT', inventory('/locations/WH-PARIS/stock/SKU-C/reorder-point'), { reorderPoint: 2 })).status).toBe(200);
  const orderId = await submit('HOME_DELIVERY', [['SKU-C', 1]], { shippingAddress: LYON });
  await allocated(orderId);
  const alert = await probe.waitForMessage(Topics.stockAlerts, (m) => m.key === 'WH-PARIS:SKU-C' && m.headers.ce_type === StockAlertTypes.low, 30_000);
  expect(alert.value).toMatchObject({ locationId: 'WH-PARIS', sku: 'SKU-C', atp: 2, reorderPoint: 2 });
});

it('suggests transfers from the nearest locations with spare stock after sales at a store till', async () => {
  const adjustmentId = randomUUID();
  await probe.send(
    Topics.inventoryAdjustments,
    'ST-LYON:SKU-A',
    { adjustmentId, locationId: 'ST-LYON', sku: 'SKU-A', mode: 'DELTA', quantity: -4, reason: 'till' },
    { ce_id: randomUUID(), ce_type: 'StockAdjusted', ce_source: '/pos', ce_specversion: '1.0' },
  );
  const plan = await waitFor(
    async () => {
      const { body } = await http('GET', inventory('/replenishment?locationId=ST-LYON&windowDays=1&leadTimeDays=1&coverDays=1'));
      return body?.skus?.[0]?.unitsOut === 4 ? body : undefined;
    },
    { timeoutMs: 30_000, what: 'the till sale in the replenishment plan' },
  );
  // 4 a day over 2 days: 8 wanted, ATP 6 - 4 sold - 1 reserved = 1. Nearest first: Villeurbanne's one unit, then 6 of WH-LYON's.
  expect(plan.skus[0]).toMatchObject({ sku: 'SKU-A', velocityPerDay: 4, atp: 1, need: 7, suggestedOrder: 0 });
  expect(plan.skus[0].transfers).toEqual([
    { fromLocationId: 'ST-VILLEURBANNE', quantity: 1, distanceKm: 2.7 },
    { fromLocationId: 'WH-LYON', quantity: 6, distanceKm: 9.7 },
  ]);
});

describe('order edits', () => {
  const line = (lineId: string, sku: string, quantity: number) => ({ lineId, sku, quantity, unitPrice: 10 });

  it('edits an order before picking: fewer units of one line and a new line, the touched part replaced, the others kept, OrderEdited saying what changed', async () => {
    const orderId = await submit('HOME_DELIVERY', [['SKU-E', 2], ['SKU-C', 1]], { shippingAddress: LYON });
    const first = await allocated(orderId);
    expect(where(first.value.allocations)).toEqual([
      { locationId: 'WH-LYON', kind: 'SHIP', lines: [{ sku: 'SKU-E', quantity: 2 }] },
      { locationId: 'WH-PARIS', kind: 'SHIP', lines: [{ sku: 'SKU-C', quantity: 1 }] },
    ]);
    await fulfillmentsOf(orderId, 2);
    const before = await atp('WH-LYON', 'SKU-E');
    const seen = eventsOf(orderId).length;

    const { status, body } = await http('POST', orders(`/orders/${orderId}/edit`), { editId: `${orderId}-E1`, lines: [line('1', 'SKU-E', 1), line('2', 'SKU-C', 1), line('3', 'SKU-A', 1)], reason: 'customer changed the basket' });
    expect(status).toBe(200);
    expect(body.lines.map((l: any) => [l.sku, l.quantity])).toEqual([['SKU-E', 1], ['SKU-C', 1], ['SKU-A', 1]]);
    const edited = await orderEvent(orderId, 'OrderEdited', seen);
    expect(edited.value).toMatchObject({ status: 'ALLOCATED', edit: { editId: `${orderId}-E1`, added: [{ sku: 'SKU-A', quantity: 1 }], removed: [{ sku: 'SKU-E', quantity: 1 }], reason: 'customer changed the basket' } });

    // The WH-LYON parcel is called off and replaced once its fulfillment confirms; WH-PARIS's is untouched.
    const again = await orderEvent(orderId, 'OrderAllocated', seen);
    const parts = where(again.value.allocations);
    expect(parts).toContainEqual({ locationId: 'WH-PARIS', kind: 'SHIP', lines: [{ sku: 'SKU-C', quantity: 1 }] });
    expect(parts.filter((part) => part.locationId === 'WH-LYON').flatMap((part) => part.lines)).toEqual(expect.arrayContaining([{ sku: 'SKU-E', quantity: 1 }, { sku: 'SKU-A', quantity: 1 }]));
    const live = await fulfillmentsOf(orderId, 2);
    expect(live.find((f: any) => f.locationId === 'WH-PARIS' && f.status !== 'CANCELLED').id).toBe(first.value.allocations[1].fulfillmentId);
    // One unit of SKU-E given back at WH-LYON, none lost or held twice.
    await waitFor(async () => (await atp('WH-LYON', 'SKU-E')).reserved === before.reserved - 1, { what: 'one unit of SKU-E given back at WH-LYON' });
  });

  it('cancels one line of an order (partial cancellation), its stock given back at once', async () => {
    const orderId = await submit('HOME_DELIVERY', [['SKU-E', 1], ['SKU-F', 1]], { shippingAddress: LYON });
    await allocated(orderId);
    await fulfillmentsOf(orderId, 1);
    const before = await atp('WH-LYON', 'SKU-E');
    const seen = eventsOf(orderId).length;
    const edit = { editId: `${orderId}-cancel-E`, orderId, lines: [line('2', 'SKU-F', 1)], reason: 'out of budget' };
    // Sent twice, as a channel that retries does: one edit.
    for (const ceId of ['one', 'two']) await probe.send(Topics.ordersCommands, orderId, edit, { ce_specversion: '1.0', ce_id: `${orderId}-${ceId}`, ce_type: 'EditOrder', ce_source: '/e2e' });
    const edited = await orderEvent(orderId, 'OrderEdited', seen);
    expect(edited.value.edit).toMatchObject({ added: [], removed: [{ sku: 'SKU-E', quantity: 1 }] });
    await orderEvent(orderId, 'OrderAllocated', seen);
    await waitFor(async () => (await atp('WH-LYON', 'SKU-E')).reserved === before.reserved - 1, { what: 'the cancelled unit of SKU-E given back' });
    expect(eventsOf(orderId).filter((m) => m.headers.ce_type === 'OrderEdited')).toHaveLength(1);
  });

  it('moves a click & collect order to another store: every part and the counter replaced, the new counter listing the new basket', async () => {
    const orderId = await submit('CLICK_AND_COLLECT', [['SKU-A', 1]], { pickupLocationId: 'ST-LYON' });
    expect(where((await allocated(orderId)).value.allocations)).toEqual([{ locationId: 'ST-LYON', kind: 'PICKUP', lines: [{ sku: 'SKU-A', quantity: 1 }] }]);
    const [counter] = await fulfillmentsOf(orderId, 1);
    const seen = eventsOf(orderId).length;
    const { status } = await http('POST', orders(`/orders/${orderId}/edit`), { pickupLocationId: 'ST-VILLEURBANNE', lines: [line('1', 'SKU-A', 1), line('2', 'SKU-E', 1)] });
    expect(status).toBe(200);
    expect((await orderEvent(orderId, 'OrderEdited', seen)).value.edit).toMatchObject({ pickupLocationId: 'ST-VILLEURBANNE', added: [{ sku: 'SKU-E', quantity: 1 }] });
    const again = await orderEvent(orderId, 'OrderAllocated', seen);
    // Villeurbanne holds the one SKU-A left there; SKU-E comes from WH-LYON.
    expect(where(again.value.allocations)).toEqual(
      expect.arrayContaining([
        { locationId: 'ST-VILLEURBANNE', kind: 'PICKUP', lines: [{ sku: 'SKU-A', quantity: 1 }] },
        { locationId: 'WH-LYON', kind: 'TRANSFER', lines: [{ sku: 'SKU-E', quantity: 1 }] },
      ]),
    );
    const live = await fulfillmentsOf(orderId, 2);
    const newCounter = live.find((f: any) => f.kind === 'PICKUP' && f.status !== 'CANCELLED');
    expect(newCounter).toMatchObject({ id: `${orderId}-C-E1`, locationId: 'ST-VILLEURBANNE' });
    expect(newCounter.lines.map((l: any) => [l.sku, l.quantity])).toEqual([['SKU-A', 1], ['SKU-E', 1]]);
    expect((await http('GET', `${system.url('fulfillment')}/fulfillments/${counter.id}`)).body.status).toBe('CANCELLED');
  });

  it('moves a home delivery to a new address far away: its parcels are routed again from the nearest warehouse', async () => {
    const orderId = await submit('HOME_DELIVERY', [['SKU-F', 1]], { shippingAddress: LYON });
    expect(where((await allocated(orderId)).value.allocations)).toEqual([{ locationId: 'WH-LYON', kind: 'SHIP', lines: [{ sku: 'SKU-F', quantity: 1 }] }]);
    await fulfillmentsOf(orderId, 1);
    const seen = eventsOf(orderId).length;
    const paris = { lat: 48.8566, lng: 2.3522, city: 'Paris' };
    expect((await http('POST', orders(`/orders/${orderId}/edit`), { shippingAddress: paris })).status).toBe(200);
    expect((await orderEvent(orderId, 'OrderEdited', seen)).value.edit).toMatchObject({ shippingAddress: paris, added: [], removed: [] });
    expect(where((await orderEvent(orderId, 'OrderAllocated', seen)).value.allocations)).toEqual([{ locationId: 'WH-PARIS', kind: 'SHIP', lines: [{ sku: 'SKU-F', quantity: 1 }] }]);
  });

  it('refuses an edit the network cannot serve as the order wants (an e-reservation the store cannot hold whole), and changes nothing', async () => {
    const orderId = await submit('E_RESERVATION', [['SKU-A', 1]], { pickupLocationId: 'ST-LYON' });
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.status === 'RESERVED', 30_000);
    const seen = eventsOf(orderId).length;
    const { status, body } = await http('POST', orders(`/orders/${orderId}/edit`), { lines: [line('1', 'SKU-A', 1), line('2', 'SKU-C', 1)] });
    expect(status).toBe(409);
    expect(body.message).toMatch(new RegExp(`^order ${orderId} cannot be edited: NOT_AVAILABLE_IN_STORE: ST-LYON cannot hold every line`));
    expect((await http('GET', orders(`/orders/${orderId}`))).body).toMatchObject({ status: 'RESERVED', lines: [line('1', 'SKU-A', 1)] });
    expect(eventsOf(orderId)).toHaveLength(seen);
  });

  it('refuses an edit once a part is picked, with the reason, and changes nothing', async () => {
    const orderId = await submit('HOME_DELIVERY', [['SKU-E', 1]], { shippingAddress: LYON });
    await allocated(orderId);
    const [fulfillment] = await fulfillmentsOf(orderId, 1);
    expect((await http('POST', `${system.url('fulfillment')}/fulfillments/${fulfillment.id}/pick`, { lines: [{ sku: 'SKU-E', quantity: 1 }] })).status).toBe(200);
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.status === 'IN_FULFILLMENT', 30_000);
    const { status, body } = await http('POST', orders(`/orders/${orderId}/edit`), { lines: [line('1', 'SKU-E', 2)] });
    expect(status).toBe(409);
    expect(body.message).toBe(`order ${orderId} cannot be edited: it is IN_FULFILLMENT`);
    expect((await http('GET', orders(`/orders/${orderId}`))).body.lines).toEqual([line('1', 'SKU-E', 1)]);
  });
});

it('takes back a parcel delivered while the other is still on its way, refunds it once, and counts it on the order', async () => {
  expect((await http('PUT', inventory('/locations/WH-PARIS/stock/SKU-G'), { onHand: 3 })).status).toBe(200);
  await waitFor(async () => (await http('GET', orders('/availability?skus=SKU-G'))).body?.length === 1, { timeoutMs: 30_000, what: "the orchestrator's view of SKU-G" });
  const orderId = await submit('HOME_DELIVERY', [['SKU-E', 1], ['SKU-G', 1]], { shippingAddress: LYON });
  await allocated(orderId);
  const parcels = await fulfillmentsOf(orderId, 2);
  const lyon = parcels.find((f: any) => f.locationId === 'WH-LYON');
  const base = `${system.url('fulfillment')}/fulfillments/${lyon.id}`;
  expect((await http('POST', `${base}/pick`, { lines: [{ sku: 'SKU-E', quantity: 1 }] })).status).toBe(200);
  expect((await http('POST', `${base}/pack`, { parcels: [{ weightKg: 1 }] })).status).toBe(200);
  expect((await http('POST', `${base}/ship`, { carrier: 'DHL', trackingNumber: `T-${orderId}` })).status).toBe(200);
  expect((await http('POST', `${base}/deliver`, {})).status).toBe(200);
  const delivered = await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.allocations.some((a: any) => a.fulfillmentStatus === 'DELIVERED'), 30_000);
  expect(delivered.value.status).toBe('IN_FULFILLMENT');

  const returns = (path: string) => `${system.url('returns')}${path}`;
  const requested = await waitFor(async () => {
    const answer = await http('POST', returns('/returns'), { orderId, lines: [{ sku: 'SKU-E', quantity: 1, reason: 'too small' }] });
    return answer.body?.reason === 'ORDER_NOT_DELIVERED' ? undefined : answer;
  }, { timeoutMs: 30_000, what: 'returns to know the parcel is delivered' });
  expect(requested.status).toBe(201);
  // The other parcel's units are not delivered yet: refused for now, not for good.
  expect((await http('POST', returns('/returns'), { orderId, lines: [{ sku: 'SKU-G', quantity: 1, reason: 'too small' }] })).body).toMatchObject({ reason: 'ORDER_NOT_DELIVERED' });
  const returnId = requested.body.id ?? requested.body.returnId;
  expect((await http('POST', returns(`/returns/${returnId}/receive`), { locationId: 'ST-LYON', lines: [{ sku: 'SKU-E', quantity: 1, condition: 'RESELLABLE' }] })).status).toBe(200);
  await waitFor(async () => (await http('GET', orders(`/orders/${orderId}`))).body?.returned?.['SKU-E'] === 1, { timeoutMs: 30_000, what: 'the refund counted on the order' });
  expect((await http('GET', orders(`/orders/${orderId}`))).body.status).toBe('IN_FULFILLMENT');
});
