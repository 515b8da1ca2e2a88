// The route matrix of docs/security.md, enforced: every route each service registers has a
// decided role, and each role gets exactly the access the table gives it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { ROLES, type Role } from '@fil/auth';
import { Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { http, KafkaProbe, openApiDocumentWithoutStarting, startService, testToken, useTestEnvironment, waitFor } from '@fil/testing';

useTestEnvironment('route-matrix');
jest.setTimeout(120_000);

interface MatrixRow {
  service: string;
  method: string;
  path: string;
  roles: Role[] | 'public';
}

/** The table under "## Route matrix"; a qualifier in brackets narrows a role, it does not change it. */
function routeMatrix(): MatrixRow[] {
  const doc = readFileSync(join(__dirname, '../docs/security.md'), 'utf8');
  const section = doc.split('## Route matrix')[1].split('\n## ')[0];
  return section
    .split('\n')
    .filter((line) => /^\| [a-z-]+ \| [A-Z]+ \| \//.test(line))
    .map((line) => {
      const [service, method, path, roles] = line.split('|').slice(1, 5).map((cell) => cell.trim());
      const names = roles.replace(/\([^)]*\)/g, '').split(',').map((role) => role.trim());
      return { service, method, path, roles: names[0] === 'public' ? 'public' : (names as Role[]) };
    });
}

const SERVICES = {
  'order-orchestrator': () => import('../apps/order-orchestrator/src/app.module'),
  inventory: () => import('../apps/inventory/src/app.module'),
  fulfillment: () => import('../apps/fulfillment/src/app.module'),
  returns: () => import('../apps/returns/src/app.module'),
};

/** What Express holds after Nest registered the controllers: METHOD path for every route, /docs aside. */
function registeredRoutes(app: INestApplication): string[] {
  const stack: { route?: { path: string; methods: Record<string, boolean> } }[] = app.getHttpAdapter().getInstance().router.stack;
  return stack
    // Nest's catch-all answers 404 for unknown paths; /docs is Swagger's.
    .filter(({ route }) => route && route.path !== '/{*all}' && !route.path.startsWith('/docs'))
    .flatMap(({ route }) => Object.keys(route!.methods).map((method) => `${method.toUpperCase()} ${route!.path}`));
}

// Staff work at the location named in every path, a channel account sells on `web`.
const LOCATION = 'matrix-loc';
const tokenOf = (role: Role) => testToken(role, role === 'staff' ? [LOCATION] : role === 'channel' ? ['web'] : []);
const pathOf = (path: string) => path.replace(':id', LOCATION).replace(':sku', 'MATRIX-SKU');

const matrix = routeMatrix();

it('reads a row for every route of the four services from docs/security.md', () => {
  expect(new Set(matrix.map((row) => row.service))).toEqual(new Set(Object.keys(SERVICES)));
  expect(matrix.length).toBeGreaterThanOrEqual(25);
});

describe.each(Object.entries(SERVICES))('%s', (service, load) => {
  let app: INestApplication;
  let url: string;
  const rows = matrix.filter((row) => row.service === service);

  beforeAll(async () => {
    const { AppModule, definition } = await load();
    ({ app, url } = await startService(AppModule, definition));
  });

  afterAll(async () => {
    await app?.close();
    await dropDatabase(databaseName(service === 'order-orchestrator' ? 'orders' : service));
  });

  it('has a decision in the matrix for exactly the routes it registers', () => {
    expect(registeredRoutes(app).sort()).toEqual(rows.map(({ method, path }) => `${method} ${path}`).sort());
  });

  it('refuses every non-public route without a token (401) and keeps /docs open', async () => {
    for (const { method, path, roles } of rows) {
      const { status } = await http(method, url + pathOf(path), method === 'GET' ? undefined : {}, null);
      expect([`${method} ${path}`, status === 401]).toEqual([`${method} ${path}`, roles !== 'public']);
    }
    expect((await http('GET', `${url}/docs/openapi.json`, undefined, null)).status).toBe(200);
  });

  it('serves at /docs/openapi.json the document built without starting it, the one e2e/openapi-lint.test.ts lints', async () => {
    const { AppModule, definition } = await load();
    const { body } = await http('GET', `${url}/docs/openapi.json`, undefined, null);
    expect(body).toEqual(JSON.parse(JSON.stringify(await openApiDocumentWithoutStarting(AppModule, definition))));
  });

  it('lets each role past the access check exactly where the matrix lists it', async () => {
    for (const { method, path, roles } of rows.filter((row) => row.roles !== 'public')) {
      for (const role of ROLES) {
        const { status } = await http(method, url + pathOf(path), method === 'GET' ? undefined : {}, tokenOf(role));
        const outcome = status === 403 ? 'refused' : status === 401 ? 'unauthenticated' : 'admitted';
        expect(`${role} on ${method} ${path}: ${outcome}`).toBe(`${role} on ${method} ${path}: ${roles.includes(role) ? 'admitted' : 'refused'}`);
      }
    }
  });
});

describe('scopes', () => {
  const probe = new KafkaProbe();
  let inventory: { app: INestApplication; url: string };
  let orders: { app: INestApplication; url: string };

  beforeAll(async () => {
    inventory = await startService(...(await loaded('inventory')));
    orders = await startService(...(await loaded('order-orchestrator')));
    await probe.start([]);
  });

  afterAll(async () => {
    await probe.stop();
    await Promise.all([inventory?.app.close(), orders?.app.close()]);
    await Promise.all([dropDatabase(databaseName('inventory')), dropDatabase(databaseName('orders'))]);
  });

  it('staff set stock at their own locations only, refused alike whether the other location exists or not', async () => {
    const location = { name: 'Other', type: 'STORE', lat: 45.7, lng: 4.8, ship: true, pickup: true, reserve: true };
    for (const id of [LOCATION, 'other-loc']) expect((await http('PUT', `${inventory.url}/locations/${id}`, location)).status).toBe(200);
    const staff = tokenOf('staff');
    const elsewhere = await http('PUT', `${inventory.url}/locations/other-loc/stock/SKU-1`, { onHand: 99_999 }, staff);
    const nowhere = await http('PUT', `${inventory.url}/locations/no-such-loc/stock/SKU-1`, { onHand: 99_999 }, staff);
    expect(elsewhere).toEqual({ status: 403, body: expect.objectContaining({ message: 'this token may not set stock at that location' }) });
    expect(nowhere).toEqual(elsewhere);
    expect((await http('PUT', `${inventory.url}/locations/${LOCATION}/stock/SKU-1`, { onHand: 3 }, staff)).status).toBe(200);
    const { body: levels } = await http('GET', `${inventory.url}/stock/SKU-1`);
    expect(levels.map(({ locationId, onHand }: { locationId: string; onHand: number }) => [locationId, onHand])).toEqual([[LOCATION, 3]]);
  });

  it("a channel sees and cancels its own orders only: another channel's is answered as unknown", async () => {
    const order = {
      orderId: 'ORD-SCOPE-1',
      channel: 'web',
      deliveryMode: 'HOME_DELIVERY',
      customer: { id: 'CUST-SCOPE', email: 'scope@example.com' },
      shippingAddress: { lat: 45.76, lng: 4.85 },
      lines: [{ lineId: 'l1', sku: 'SKU-1', quantity: 1, unitPrice: 10 }],
      currency: 'EUR',
      placedAt: new Date().toISOString(),
    };
    await probe.send(Topics.ordersSubmitted, order.orderId, order);
    await waitFor(async () => (await http('GET', `${orders.url}/orders/${order.orderId}`)).status === 200, { what: 'the order' });
    const web = tokenOf('channel');
    const marketplace = testToken('channel', ['marketplace']);

    expect((await http('GET', `${orders.url}/orders/${order.orderId}`, undefined, web)).body.customer.email).toBe('scope@example.com');
    const foreign = await http('GET', `${orders.url}/orders/${order.orderId}`, undefined, marketplace);
    const unknown = await http('GET', `${orders.url}/orders/ORD-NOWHERE`, undefined, marketplace);
    expect([foreign.status, foreign.body.message]).toEqual([404, `order ${order.orderId} not found`]);
    expect([unknown.status, unknown.body.message]).toEqual([404, 'order ORD-NOWHERE not found']);
    expect((await http('POST', `${orders.url}/orders/${order.orderId}/cancel`, { reason: 'not yours' }, marketplace)).status).toBe(404);

    const listed = async (token: string) => (await http('GET', `${orders.url}/orders?customerId=CUST-SCOPE`, undefined, token)).body.map((o: { orderId: string }) => o.orderId);
    expect(await listed(web)).toEqual([order.orderId]);
    expect(await listed(marketplace)).toEqual([]);
    expect((await http('GET', `${orders.url}/orders/${order.orderId}`)).body.status).not.toBe('CANCELLED');
  });

  it("staff read the orders their locations serve, to collect or ship them: another location's is answered as unknown", async () => {
    const order = {
      orderId: 'ORD-SCOPE-STAFF',
      channel: 'web',
      deliveryMode: 'CLICK_AND_COLLECT',
      pickupLocationId: LOCATION,
      customer: { id: 'CUST-SCOPE-STAFF' },
      lines: [{ lineId: 'l1', sku: 'SKU-1', quantity: 1, unitPrice: 10 }],
      currency: 'EUR',
      placedAt: new Date().toISOString(),
    };
    await probe.send(Topics.ordersSubmitted, order.orderId, order);
    await waitFor(async () => (await http('GET', `${orders.url}/orders/${order.orderId}`)).status === 200, { what: 'the order' });

    const own = await http('GET', `${orders.url}/orders/${order.orderId}`, undefined, tokenOf('staff'));
    expect([own.status, own.body.pickupLocationId]).toEqual([200, LOCATION]);
    const elsewhere = await http('GET', `${orders.url}/orders/${order.orderId}`, undefined, testToken('staff', ['other-loc']));
    expect([elsewhere.status, elsewhere.body.message]).toEqual([404, `order ${order.orderId} not found`]);
    expect((await http('POST', `${orders.url}/orders/${order.orderId}/cancel`, { reason: 'staff may not' }, tokenOf('staff'))).status).toBe(403);
  });
});

async function loaded(service: keyof typeof SERVICES) {
  const { AppModule, definition } = await SERVICES[service]();
  return [AppModule, definition] as const;
}
