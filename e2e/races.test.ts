import { randomBytes } from 'node:crypto';
import { Topics } from '@fil/contracts';
import { FilSystem, http, KafkaProbe, useTestEnvironment, waitFor } from '@fil/testing';

useTestEnvironment('e2e-races');
jest.setTimeout(240_000);

// The four services as processes: the races are between them, through Kafka.
const system = new FilSystem();
const probe = new KafkaProbe();

const inventory = (path: string) => `${system.url('inventory')}${path}`;
const orders = (path: string) => `${system.url('order-orchestrator')}${path}`;
const fulfillments = (path: string) => `${system.url('fulfillment')}${path}`;
const LYON = { lat: 45.764, lng: 4.8357 };

function submit(orderId: string, sku: string, quantity: number, mode: 'HOME_DELIVERY' | 'CLICK_AND_COLLECT' = 'HOME_DELIVERY'): Promise<void> {
  const order = {
    orderId,
    channel: 'web',
    deliveryMode: mode,
    customer: { id: `CUST-${orderId}` },
    ...(mode === 'HOME_DELIVERY' ? { shippingAddress: LYON } : { pickupLocationId: 'ST-LYON' }),
    lines: [{ lineId: '1', sku, quantity, unitPrice: 10 }],
    currency: 'EUR',
    placedAt: new Date().toISOString(),
  };
  return probe.send(Topics.ordersSubmitted, orderId, order, { ce_specversion: '1.0', ce_id: orderId, ce_type: 'OrderSubmitted', ce_source: '/e2e' });
}

/** The first status among `statuses` the order reaches. */
const decided = (orderId: string, statuses: string[]) =>
  probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && statuses.includes(m.value.status), 60_000).then((m) => m.value.status as string);

async function stockAt(locationId: string, sku: string): Promise<{ onHand: number; reserved: number }> {
  const { body } = await http('GET', inventory(`/stock/${sku}`));
  return body.find((row: { locationId: string }) => row.locationId === locationId);
}

const step = (id: string, name: string, body: unknown = {}) => http('POST', fulfillments(`/fulfillments/${id}/${name}`), body);

beforeAll(async () => {
  await probe.start([Topics.ordersEvents]);
  await system.start({ FIL_TRACING: 'off' });
  const network = [
    { id: 'WH-LYON', name: 'Entrepôt Lyon', type: 'WAREHOUSE', lat: 45.6967, lng: 4.9439, ship: true, pickup: false, reserve: false },
    { id: 'ST-LYON', name: 'Lyon Part-Dieu', type: 'STORE', lat: 45.7606, lng: 4.8594, ship: false, pickup: true, reserve: true },
  ];
  for (const { id, ...location } of network) expect((await http('PUT', inventory(`/locations/${id}`), location)).status).toBe(200);
  // Routing needs both locations in the orchestrator's view: an order using both is allocated once they are.
  for (const { id } of network) expect((await http('PUT', inventory(`/locations/${id}/stock/SKU-SEED`), { onHand: 1, safetyStock: 0 })).status).toBe(200);
  await waitFor(async () => (await http('GET', orders('/availability?skus=SKU-SEED'))).body?.length === 2, { what: "the orchestrator's view of the seed stock" });
  await submit('RACE-WARM-UP', 'SKU-SEED', 2, 'CLICK_AND_COLLECT');
  expect(await decided('RACE-WARM-UP', ['ALLOCATED', 'PARTIALLY_ALLOCATED', 'REJECTED'])).toBe('ALLOCATED');
});

afterAll(async () => {
  await system.stop();
  await probe.stop();
});

describe('stock set and an order submitted at once', () => {
  it('allocates every order submitted the moment its stock was set, whatever the orchestrator had seen of it', async () => {
    const runs = Array.from({ length: 12 }, (_, n) => ({ n, sku: `SKU-SAME-MS-${n}-${randomBytes(2).toString('hex')}`, orderId: `RACE-SET-${n}-${randomBytes(3).toString('hex')}` }));
    await Promise.all(
      runs.map(async ({ n, sku, orderId }) => {
        expect((await http('PUT', inventory(`/locations/WH-LYON/stock/${sku}`), { onHand: 2, safetyStock: 0 })).status).toBe(200);
        await submit(orderId, sku, 2, n % 2 ? 'CLICK_AND_COLLECT' : 'HOME_DELIVERY');
      }),
    );
    const outcomes = await Promise.all(runs.map(({ orderId }) => decided(orderId, ['ALLOCATED', 'PARTIALLY_ALLOCATED', 'REJECTED'])));
    expect(outcomes).toEqual(runs.map(() => 'ALLOCATED'));
  });
});

describe('cancel racing ship', () => {
  it('keeps on-hand and reserved right whichever of cancel and ship wins, and shows each order as it ended', async () => {
    const sku = `SKU-RACE-${randomBytes(2).toString('hex')}`;
    expect((await http('PUT', inventory(`/locations/WH-LYON/stock/${sku}`), { onHand: 20, safetyStock: 0 })).status).toBe(200);
    await waitFor(async () => (await http('GET', orders(`/availability?skus=${sku}`))).body?.[0]?.atp === 20, { what: "the orchestrator's view of the stock" });
    const ids = Array.from({ length: 5 }, (_, n) => `RACE-SHIP-${n}-${randomBytes(3).toString('hex')}`);
    for (const orderId of ids) {
      await submit(orderId, sku, 2);
      expect(await decided(orderId, ['ALLOCATED', 'REJECTED'])).toBe('ALLOCATED');
    }
    const works = await Promise.all(
      ids.map((orderId) => waitFor(async () => (await http('GET', fulfillments(`/fulfillments?orderId=${orderId}`))).body?.[0], { what: `the fulfillment of ${orderId}` })),
    );
    for (const work of works) {
      expect((await step(work.id, 'pick', { lines: [{ sku, quantity: 2 }] })).status).toBe(200);
      expect((await step(work.id, 'pack', { parcels: [{ weightKg: 1 }] })).status).toBe(200);
    }
    await waitFor(async () => (await Promise.all(ids.map(async (id) => (await http('GET', orders(`/orders/${id}`))).body.status))).every((s) => s === 'IN_FULFILLMENT'), {
      what: 'every order in fulfillment',
    });

    // Staff ship while customer service cancels, each on its own view.
    const answers = await Promise.all(
      works.map((work) =>
        Promise.all([step(work.id, 'ship', { carrier: 'Colissimo', trackingNumber: `T-${work.id}` }), http('POST', orders(`/orders/${work.orderId}/cancel`), { reason: 'customer called' })]),
      ),
    );
    const shipped = answers.filter(([ship]) => ship.status === 200).length;
    expect(answers.map(([ship, cancel]) => [ship.status, cancel.status].sort().join())).not.toContain('409,409');

    // Every unit that left is consumed, every unit that stayed is back, nothing is still held.
    await waitFor(async () => {
      const { onHand, reserved } = await stockAt('WH-LYON', sku);
      return onHand === 20 - 2 * shipped && reserved === 0;
    }, { what: `on-hand ${20 - 2 * shipped} and nothing reserved`, timeoutMs: 60_000 });
    for (const [n, work] of works.entries()) {
      const [ship, cancel] = answers[n];
      const expected = ship.status !== 200 ? 'CANCELLED' : cancel.status === 200 ? 'NEEDS_ATTENTION' : 'SHIPPED';
      const order = await waitFor(async () => {
        const { body } = await http('GET', orders(`/orders/${work.orderId}`));
        return body.status === expected && body;
      }, { what: `${work.orderId} ${expected}` });
      if (expected === 'NEEDS_ATTENTION') expect(order.timeline.at(-1).cause).toMatch(/shipped with Colissimo .* before it could be called off/);
    }
  });
});
