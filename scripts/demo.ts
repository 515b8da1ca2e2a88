// `npm run demo` (with `npm start` running): publishes one home-delivery order on Kafka
// as a channel would, walks its fulfillment through pick, pack, ship and deliver over
// HTTP as warehouse staff would, and prints the order's timeline and its trace.
// `npm run demo -- collect` publishes a click & collect order for the Lyon Part-Dieu store
// and stops once it is allocated, printing its fulfillments for staff to work with curl.
import { randomBytes } from 'node:crypto';
import { signToken } from '@fil/auth';
import { Topics } from '@fil/contracts';
import { createKafka, physicalTopic } from '@fil/messaging';

const orchestrator = process.env.ORCHESTRATOR_URL ?? 'http://127.0.0.1:3000';
const fulfillment = process.env.FULFILLMENT_URL ?? 'http://127.0.0.1:3002';

// Warehouse staff work with a bearer token; the demo acts as an admin (FIL_JWT_SECRET or the development default).
const staffToken = process.env.FIL_STAFF_TOKEN ?? signToken({ sub: 'demo', role: 'admin' });

async function call(method: string, url: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${staffToken}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
  }
  throw new Error(`gave up waiting for ${what}`);
}

const collect = process.argv[2] === 'collect';
const PICKUP_STORE = 'store-lyon-part-dieu';

async function main() {
  const orderId = `DEMO-${randomBytes(3).toString('hex').toUpperCase()}`;
  const traceId = randomBytes(16).toString('hex');
  const producer = createKafka('fil-demo').producer();
  await producer.connect();
  await producer.send({
    topic: physicalTopic(Topics.ordersSubmitted),
    messages: [
      {
        key: orderId,
        value: JSON.stringify({
          orderId,
          channel: collect ? 'app' : 'web',
          customer: { id: 'CUST-DEMO', name: 'Camille Martin' },
          ...(collect
            ? { deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: PICKUP_STORE }
            : { deliveryMode: 'HOME_DELIVERY', shippingAddress: { lat: 45.764, lng: 4.8357, city: 'Lyon', postalCode: '69002', country: 'FR' } }),
          lines: [
            { lineId: '1', sku: 'SKU-0001', quantity: 2, unitPrice: 19.9 },
            { lineId: '2', sku: 'SKU-0002', quantity: collect ? 3 : 1, unitPrice: 59 },
          ],
          currency: 'EUR',
          placedAt: new Date().toISOString(),
        }),
        headers: {
          ce_specversion: '1.0',
          ce_id: `${orderId}-submitted`,
          ce_type: 'OrderSubmitted',
          ce_source: '/demo',
          'content-type': 'application/json',
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        },
      },
    ],
  });
  await producer.disconnect();
  console.log(`published order ${orderId} on ${Topics.ordersSubmitted}`);

  const order = await until('the order to be allocated', async () => {
    const found = await call('GET', `${orchestrator}/orders/${orderId}`);
    return found.status === 'RECEIVED' ? undefined : found;
  });
  console.log(`order ${orderId} is ${order.status}${order.allocations?.[0] ? ` at ${order.allocations[0].locationId}` : ''}`);
  if (collect) return showCounterWork(orderId);
  if (order.status !== 'ALLOCATED') return;

  const work = await until('its fulfillment', async () => (await call('GET', `${fulfillment}/fulfillments?orderId=${orderId}`))[0]);
  const base = `${fulfillment}/fulfillments/${work.id}`;
  await call('POST', `${base}/pick`, { lines: work.lines.map(({ sku, quantity }: { sku: string; quantity: number }) => ({ sku, quantity })) });
  await call('POST', `${base}/pack`, { parcels: [{ weightKg: 1.2 }] });
  await call('POST', `${base}/ship`, { carrier: 'Colissimo', trackingNumber: `6A${Date.now()}` });
  await call('POST', `${base}/deliver`, {});
  console.log(`fulfillment ${work.id} picked, packed, shipped and delivered`);

  const delivered = await until('DELIVERED', async () => {
    const found = await call('GET', `${orchestrator}/orders/${orderId}`);
    return found.status === 'DELIVERED' ? found : undefined;
  });
  for (const step of delivered.timeline) console.log(`  ${step.at}  ${step.from ?? '-'} -> ${step.to}  (${step.cause})`);
  console.log(`order:  ${orchestrator}/orders/${orderId}`);
  console.log(`trace:  http://127.0.0.1:9411/zipkin/traces/${traceId}`);
}

/** Click & collect: where each part comes from, and the fulfillments staff will work. */
async function showCounterWork(orderId: string) {
  const order = await call('GET', `${orchestrator}/orders/${orderId}`);
  for (const allocation of order.allocations) {
    console.log(`  ${allocation.kind.padEnd(8)} ${allocation.lines.map((l: { sku: string; quantity: number }) => `${l.quantity} × ${l.sku}`).join(', ')} from ${allocation.locationId}`);
  }
  const work = await until('its fulfillments', async () => {
    const found = await call('GET', `${fulfillment}/fulfillments?orderId=${orderId}`);
    return found.length >= order.allocations.length ? found : undefined;
  });
  for (const item of work) console.log(`  fulfillment ${item.id}: ${item.kind} at ${item.locationId}${item.destinationLocationId ? ` → ${item.destinationLocationId}` : ''}, ${item.status}`);
  console.log(`order:  ${orchestrator}/orders/${orderId}`);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
