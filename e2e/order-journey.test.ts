import { randomBytes } from 'node:crypto';
import { Topics } from '@fil/contracts';
import { signToken } from '@fil/auth';
import { FilSystem, http, KafkaProbe, testToken, useTestEnvironment, waitFor } from '@fil/testing';

useTestEnvironment('e2e');
jest.setTimeout(180_000);

const system = new FilSystem();
const probe = new KafkaProbe();
const zipkin = process.env.FIL_ZIPKIN_QUERY_URL ?? 'http://127.0.0.1:9411';

const warehouse = { id: 'WH-LYON', name: 'Entrepôt Lyon Saint-Priest', type: 'WAREHOUSE', lat: 45.6967, lng: 4.9439, ship: true, pickup: false, reserve: false };
const store = { id: 'ST-PARIS-RIVOLI', name: 'Paris Rivoli', type: 'STORE', lat: 48.8606, lng: 2.3376, ship: false, pickup: true, reserve: true };

beforeAll(async () => {
  await probe.start([Topics.ordersEvents, Topics.refunds, Topics.dlq, Topics.fulfillmentEvents]);
  // Spans are exported so the journey can be read back from Zipkin as one trace.
  await system.start({ FIL_TRACING: 'on' });
  for (const { id, ...location } of [warehouse, store]) {
    expect((await http('PUT', `${system.url('inventory')}/locations/${id}`, location)).status).toBe(200);
  }
  expect((await http('PUT', `${system.url('inventory')}/locations/WH-LYON/stock/SKU-TSHIRT`, { onHand: 10, safetyStock: 0 })).status).toBe(200);
  expect((await http('PUT', `${system.url('inventory')}/locations/WH-LYON/stock/SKU-JEANS`, { onHand: 5, safetyStock: 0 })).status).toBe(200);
  expect((await http('PUT', `${system.url('inventory')}/locations/ST-PARIS-RIVOLI/stock/SKU-TSHIRT`, { onHand: 1, safetyStock: 0 })).status).toBe(200);
  // The orchestrator routes on its own view of stock, fed by fil.inventory.stock-levels.v1.
  await waitFor(
    async () => {
      const { body } = await http('GET', `${system.url('order-orchestrator')}/availability?skus=SKU-TSHIRT,SKU-JEANS`);
      const atWarehouse = (sku: string) => body?.find((row: any) => row.locationId === 'WH-LYON' && row.sku === sku)?.atp ?? 0;
      return atWarehouse('SKU-TSHIRT') === 10 && atWarehouse('SKU-JEANS') === 5;
    },
    { timeoutMs: 30_000, what: "the orchestrator's view of the seeded stock" },
  );
});

afterAll(async () => {
  await system.stop();
  await probe.stop();
});

const statusesOf = (orderId: string) =>
  probe.messages(Topics.ordersEvents, (m) => m.key === orderId).map((m) => m.value.status as string);

describe('every service', () => {
  const sweeps = { 'order-orchestrator': ['early cancellations', 'backorder retries', 'saga step deadlines'], inventory: ['reservation expiry'], fulfillment: [], returns: [] };

  it.each(['order-orchestrator', 'inventory', 'fulfillment', 'returns'] as const)(
    '%s reports its database, Kafka and deadline sweeps on /health and serves its OpenAPI document at /docs',
    async (service) => {
      const health = await http('GET', `${system.url(service)}/health`);
      const body = { status: 'ok', checks: { database: 'up', kafka: 'up' }, messaging: { held: [], parked: 0, topicsWaiting: [] }, sweeps: sweeps[service].map((what) => ({ what, failing: [] })) };
      expect(health).toEqual({ status: 200, body });
      const docs = await http('GET', `${system.url(service)}/docs/openapi.json`);
      expect(docs.status).toBe(200);
      expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/health']));
      expect(Object.keys(docs.body.paths).length).toBeGreaterThan(1);
    },
  );

  it('documents every staff step of fulfillment with its bearer token, its answers and examples', async () => {
    const { body } = await http('GET', `${system.url('fulfillment')}/docs/openapi.json`);
    for (const step of ['pick', 'pack', 'ship', 'deliver', 'receive', 'ready', 'collect']) {
      const operation = body.paths[`/fulfillments/{id}/${step}`].post;
      expect(operation.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '404', '409']));
      expect(operation.responses['200'].content['application/json'].schema.example).toMatchObject({ id: expect.any(String) });
    }
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('one order through the four services', () => {
  const orderId = `WEB-${randomBytes(4).toString('hex')}`;
  const traceId = randomBytes(16).toString('hex');
  let fulfillmentId: string;

  it('allocates a home-delivery order submitted on Kafka to the warehouse that holds the stock and reserves it', async () => {
    await probe.send(
      Topics.ordersSubmitted,
      orderId,
      {
        orderId,
        channel: 'web',
        deliveryMode: 'HOME_DELIVERY',
        customer: { id: 'CUST-42', name: 'Camille Martin', email: 'camille@example.fr' },
        shippingAddress: { lat: 45.764, lng: 4.8357, street: '1 place Bellecour', city: 'Lyon', postalCode: '69002', country: 'FR' },
        lines: [
          { lineId: '1', sku: 'SKU-TSHIRT', quantity: 2, unitPrice: 19.9 },
          { lineId: '2', sku: 'SKU-JEANS', quantity: 1, unitPrice: 59 },
        ],
        currency: 'EUR',
        placedAt: new Date().toISOString(),
      },
      {
        ce_specversion: '1.0',
        ce_id: `${orderId}-submitted`,
        ce_type: 'OrderSubmitted',
        ce_source: '/channels/web',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
    );
    const allocated = await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.status === 'ALLOCATED', 30_000);
    expect(allocated.headers.ce_type).toBe('OrderAllocated');
    expect(allocated.value.allocations).toEqual([
      expect.objectContaining({
        locationId: 'WH-LYON',
        kind: 'SHIP',
        lines: expect.arrayContaining([
          { sku: 'SKU-TSHIRT', quantity: 2 },
          { sku: 'SKU-JEANS', quantity: 1 },
        ]),
      }),
    ]);
    const { body: stock } = await http('GET', `${system.url('inventory')}/stock/SKU-TSHIRT`);
    expect(stock.find((row: any) => row.locationId === 'WH-LYON')).toMatchObject({ onHand: 10, reserved: 2, atp: 8 });
  });

  it('gives the warehouse a fulfillment that staff pick, pack, ship and deliver over HTTP, bringing the order to DELIVERED', async () => {
    // The warehouse's staff, with a token for their location only.
    const staff = signToken({ sub: 'wh-lyon-picker', role: 'staff', locations: ['WH-LYON'] });
    const fulfillment = await waitFor(
      async () => (await http('GET', `${system.url('fulfillment')}/fulfillments?orderId=${orderId}`, undefined, staff)).body?.[0],
      { what: 'the fulfillment of the order' },
    );
    fulfillmentId = fulfillment.id;
    expect(fulfillment).toMatchObject({ orderId, locationId: 'WH-LYON', kind: 'SHIP', status: 'CREATED' });

    const base = `${system.url('fulfillment')}/fulfillments/${fulfillmentId}`;
    const pick = await http('POST', `${base}/pick`, { lines: [{ sku: 'SKU-TSHIRT', quantity: 2 }, { sku: 'SKU-JEANS', quantity: 1 }] }, staff);
    expect(pick.status).toBe(200);
    expect((await http('POST', `${base}/pack`, { parcels: [{ weightKg: 1.4 }] }, staff)).status).toBe(200);
    expect((await http('POST', `${base}/ship`, { carrier: 'Colissimo', trackingNumber: '6A12345678901' }, staff)).status).toBe(200);
    expect((await http('POST', `${base}/deliver`, {}, staff)).status).toBe(200);

    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.status === 'DELIVERED', 30_000);
    expect(statusesOf(orderId)).toEqual(['RECEIVED', 'ALLOCATED', 'IN_FULFILLMENT', 'SHIPPED', 'DELIVERED']);
    // Shipping consumed the reservation: the units left the warehouse's on-hand.
    await waitFor(async () => {
      const { body } = await http('GET', `${system.url('inventory')}/stock/SKU-TSHIRT`);
      const row = body.find((r: any) => r.locationId === 'WH-LYON');
      return row.onHand === 8 && row.reserved === 0 && row.atp === 8;
    }, { what: 'the reservation to be committed at shipping' });
  });

  it('restocks a returned item at the store that received it and publishes exactly one refund', async () => {
    // Returns learns of the delivery from its own consumer: until then the request is refused (ORDER_NOT_DELIVERED).
    const request = { returnId: `RET-${orderId}`, orderId, lines: [{ sku: 'SKU-TSHIRT', quantity: 1, reason: 'too small' }] };
    const requested = await waitFor(async () => {
      const answer = await http('POST', `${system.url('returns')}/returns`, request);
      return answer.body?.reason === 'ORDER_NOT_DELIVERED' ? undefined : answer;
    }, { what: 'returns to know the order is delivered' });
    expect(requested.status).toBe(201);
    const returnId = requested.body.id ?? requested.body.returnId;
    const receipt = { locationId: 'ST-PARIS-RIVOLI', lines: [{ sku: 'SKU-TSHIRT', quantity: 1, condition: 'RESELLABLE' }] };
    // The Paris store's staff receive it (the order shipped from Lyon).
    const storeStaff = signToken({ sub: 'rivoli-seller', role: 'staff', locations: ['ST-PARIS-RIVOLI'] });
    expect((await http('POST', `${system.url('returns')}/returns/${returnId}/receive`, receipt, storeStaff)).status).toBe(200);
    // A retried receipt must not refund twice.
    expect((await http('POST', `${system.url('returns')}/returns/${returnId}/receive`, receipt, storeStaff)).status).toBe(200);

    const refund = await probe.waitForMessage(Topics.refunds, (m) => m.key === returnId, 30_000);
    expect(refund.value).toMatchObject({ returnId, orderId, amount: 19.9, currency: 'EUR' });
    await waitFor(async () => {
      const { body } = await http('GET', `${system.url('inventory')}/stock/SKU-TSHIRT`);
      return body.find((r: any) => r.locationId === 'ST-PARIS-RIVOLI')?.onHand === 2;
    }, { what: 'the returned unit back on sale at the store' });
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.status === 'PARTIALLY_RETURNED', 30_000);
    expect(probe.messages(Topics.refunds, (m) => m.key === returnId)).toHaveLength(1);
  });

  it('shows the whole timeline on GET /orders/{id}', async () => {
    const { status, body } = await http('GET', `${system.url('order-orchestrator')}/orders/${orderId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ orderId, status: 'PARTIALLY_RETURNED' });
    expect(body.timeline.map((step: any) => step.to)).toEqual([
      'RECEIVED',
      'ALLOCATED',
      'IN_FULFILLMENT',
      'SHIPPED',
      'DELIVERED',
      'PARTIALLY_RETURNED',
    ]);
    // The return shows on the timeline with its refund and what came back.
    expect(body.timeline.at(-1).cause).toMatch(/^refund refund-.+: 1 × SKU-TSHIRT returned$/);
    expect(body.returned).toEqual({ 'SKU-TSHIRT': 1 });
    expect(body.routing[0].explanation).toMatchObject({ policyVersion: 'policy-v1', rulesVersion: 'fil-routing-v1' });
    expect(probe.messages(Topics.dlq)).toEqual([]);
  });

  it('carries the channel trace through every service: every event shares its trace id, and Zipkin holds one trace spanning all four', async () => {
    const traced = [
      ...probe.messages(Topics.ordersEvents, (m) => m.key === orderId),
      ...probe.messages(Topics.fulfillmentEvents, (m) => m.key === orderId),
      ...probe.messages(Topics.refunds, (m) => m.value.orderId === orderId),
    ];
    expect(traced.length).toBeGreaterThanOrEqual(12);
    for (const message of traced) expect(message.headers.traceparent?.split('-')[1]).toBe(traceId);

    const services = await waitFor(
      async () => {
        const response = await fetch(`${zipkin}/api/v2/trace/${traceId}`);
        if (!response.ok) return undefined;
        const spans = (await response.json()) as { localEndpoint?: { serviceName?: string } }[];
        const names = new Set(spans.map((span) => span.localEndpoint?.serviceName));
        return ['order-orchestrator', 'inventory', 'fulfillment', 'returns'].every((name) => names.has(name)) && names;
      },
      { timeoutMs: 30_000, intervalMs: 1_000, what: 'the trace in Zipkin' },
    );
    expect([...services].sort()).toEqual(['fulfillment', 'inventory', 'order-orchestrator', 'returns']);
  });
});

describe('metrics', () => {
  /** The value of the first sample of `name` whose labels include every one of `labels`. */
  const sample = (text: string, name: string, labels: Record<string, string> = {}) => {
    const line = text.split('\n').find((row) => row.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => row.includes(`${key}="${value}"`)));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('shows ops, in Prometheus format, what the orchestrator consumed, its outbox, its lag, its HTTP requests and the orders per status', async () => {
    const { status, body } = await http('GET', `${system.url('order-orchestrator')}/metrics`, undefined, testToken('ops'));
    expect(status).toBe(200);
    expect(sample(body, 'fil_messages_consumed_total', { topic: Topics.ordersSubmitted })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'fil_messages_consumed_total', { topic: Topics.fulfillmentEvents })).toBeGreaterThanOrEqual(4);
    expect(sample(body, 'fil_messages_batch_seconds_count', { topic: Topics.inventoryEvents })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'fil_outbox_published_total', { topic: Topics.inventoryCommands, type: 'ReserveStock' })).toBe(1);
    expect(sample(body, 'fil_outbox_backlog')).toBeGreaterThanOrEqual(0);
    expect(sample(body, 'fil_consumer_lag', { topic: Topics.ordersSubmitted })).toBe(0);
    expect(sample(body, 'fil_orders', { status: 'PARTIALLY_RETURNED' })).toBe(1);
    expect(sample(body, 'fil_routing_decision_seconds_count', { delivery_mode: 'HOME_DELIVERY', outcome: 'ALLOCATE' })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'fil_routing_shipments_sum', { delivery_mode: 'HOME_DELIVERY' })).toBe(1);
    expect(sample(body, 'fil_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(body, 'http_server_request_duration_count', { http_request_method: 'GET', http_response_status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'http_server_request_duration_count', { http_request_method: 'GET', http_route: '/orders/:id' })).toBeGreaterThanOrEqual(1);
  });

  it("shows the last 24 hours' KPIs of the order by channel and delivery mode, once the snapshot behind them is computed", async () => {
    const web = { channel: 'web', delivery_mode: 'HOME_DELIVERY' };
    // The first scrape starts the computation and may show no KPI yet.
    const body = await waitFor(
      async () => {
        const { body: text } = await http('GET', `${system.url('order-orchestrator')}/metrics`, undefined, testToken('ops'));
        return sample(text, 'fil_kpi_orders', web) === undefined ? undefined : text;
      },
      { timeoutMs: 15_000, intervalMs: 500, what: 'the KPI gauges' },
    );
    expect(sample(body, 'fil_kpi_orders', web)).toBe(1);
    expect(sample(body, 'fil_kpi_fill_rate', web)).toBe(1);
    expect(sample(body, 'fil_kpi_shipments_per_order', web)).toBe(1);
    expect(sample(body, 'fil_kpi_split_rate', web)).toBe(0);
    expect(sample(body, 'fil_kpi_cancellation_rate', web)).toBe(0);
  });

  it("shows inventory's reservations apart from its refusals, by the type of event it published", async () => {
    const { body } = await http('GET', `${system.url('inventory')}/metrics`, undefined, testToken('ops'));
    expect(sample(body, 'fil_outbox_published_total', { topic: Topics.inventoryEvents, type: 'StockReserved' })).toBe(1);
    expect(sample(body, 'fil_outbox_published_total', { type: 'StockReservationRefused' })).toBeUndefined();
  });

  it('refuses /metrics without a token and to a channel', async () => {
    expect((await http('GET', `${system.url('inventory')}/metrics`, undefined, null)).status).toBe(401);
    expect((await http('GET', `${system.url('inventory')}/metrics`, undefined, testToken('channel', ['web']))).status).toBe(403);
  });
});
