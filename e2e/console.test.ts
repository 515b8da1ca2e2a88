import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ORDER_STATUSES, Topics } from '@fil/contracts';
import { NOT_CANCELLABLE, ORDER_STATUSES as CONSOLE_STATUSES } from '../apps/console/src/order-types';
import { signToken } from '@fil/auth';
import { FilSystem, freePort, http, KafkaProbe, useTestEnvironment, waitFor } from '@fil/testing';

useTestEnvironment('e2e');
jest.setTimeout(240_000);

const root = resolve(__dirname, '..');
const system = new FilSystem();
const probe = new KafkaProbe();
const run = Math.random().toString(36).slice(2, 8);

const warehouse = { id: 'WH-LYON', name: 'Entrepôt Lyon Saint-Priest', type: 'WAREHOUSE', lat: 45.6967, lng: 4.9439, ship: true, pickup: false, reserve: false };
const store = { id: 'ST-PARIS-RIVOLI', name: 'Paris Rivoli', type: 'STORE', lat: 48.8606, lng: 2.3376, ship: false, pickup: true, reserve: true };
const otherStore = { id: 'ST-MARSEILLE', name: 'Marseille Vieux-Port', type: 'STORE', lat: 43.2951, lng: 5.3744, ship: false, pickup: true, reserve: true };

const picker = signToken({ sub: 'wh-lyon-picker', role: 'staff', locations: [warehouse.id] });
const associate = signToken({ sub: 'rivoli-seller', role: 'staff', locations: [store.id] });
const stranger = signToken({ sub: 'marseille-seller', role: 'staff', locations: [otherStore.id] });
const ops = signToken({ sub: 'ops-desk', role: 'ops' });

const homeOrder = `WEB-${run}-HOME`;
const pickupOrder = `WEB-${run}-CC`;
const transferOrder = `WEB-${run}-TR`;

let distDir: string;
let consoleServer: ChildProcess;
let consoleUrl: string;
let browser: Browser;

beforeAll(async () => {
  // Built once, into its own directory: a developer's apps/console/dist is left alone.
  distDir = mkdtempSync(join(tmpdir(), 'fil-console-'));
  execFileSync(join(root, 'node_modules/.bin/vite'), ['build', '--config', 'apps/console/vite.config.mts', '--outDir', distDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, stdio: 'pipe' });

  await probe.start([Topics.ordersEvents]);
  await system.start();
  for (const { id, ...location } of [warehouse, store, otherStore]) {
    expect((await http('PUT', `${system.url('inventory')}/locations/${id}`, location)).status).toBe(200);
  }
  for (const [location, sku, onHand] of [[warehouse.id, 'SKU-TSHIRT', 10], [warehouse.id, 'SKU-JEANS', 5], [store.id, 'SKU-CAP', 3]] as const) {
    expect((await http('PUT', `${system.url('inventory')}/locations/${location}/stock/${sku}`, { onHand, safetyStock: 0 })).status).toBe(200);
  }
  await waitFor(
    async () => {
      const { body } = await http('GET', `${system.url('order-orchestrator')}/availability?skus=SKU-JEANS,SKU-CAP`);
      return body?.some((row: any) => row.sku === 'SKU-JEANS' && row.atp === 5) && body?.some((row: any) => row.sku === 'SKU-CAP' && row.atp === 3);
    },
    { timeoutMs: 30_000, what: "the orchestrator's view of the seeded stock" },
  );

  const port = await freePort();
  consoleUrl = `http://127.0.0.1:${port}`;
  consoleServer = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/console/server.ts'], {
    cwd: root,
    env: {
      ...process.env,
      CONSOLE_PORT: String(port),
      CONSOLE_DIST: distDir,
      CONSOLE_ORDERS_URL: system.url('order-orchestrator'),
      CONSOLE_INVENTORY_URL: system.url('inventory'),
      CONSOLE_FULFILLMENT_URL: system.url('fulfillment'),
      CONSOLE_RETURNS_URL: system.url('returns'),
    },
    stdio: 'ignore',
  });
  await waitFor(async () => (await fetch(consoleUrl).catch(() => undefined))?.ok, { timeoutMs: 60_000, what: 'the console server' });

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

  await submit(homeOrder, { deliveryMode: 'HOME_DELIVERY', shippingAddress: { lat: 45.764, lng: 4.8357, city: 'Lyon', country: 'FR' }, lines: [{ lineId: '1', sku: 'SKU-TSHIRT', quantity: 2, unitPrice: 19.9 }, { lineId: '2', sku: 'SKU-JEANS', quantity: 1, unitPrice: 59 }] });
  await submit(pickupOrder, { deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: store.id, lines: [{ lineId: '1', sku: 'SKU-CAP', quantity: 1, unitPrice: 15 }] });
  // Jeans are only at the warehouse: the store gets them by a transfer.
  await submit(transferOrder, { deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: store.id, lines: [{ lineId: '1', sku: 'SKU-JEANS', quantity: 1, unitPrice: 59 }] });
  for (const orderId of [homeOrder, pickupOrder, transferOrder]) {
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.status === 'ALLOCATED', 30_000);
  }
});

afterAll(async () => {
  await browser?.close();
  if (consoleServer && consoleServer.exitCode === null) {
    const exited = new Promise((done) => consoleServer.once('exit', done));
    consoleServer.kill('SIGTERM');
    await exited;
  }
  await system.stop();
  await probe.stop();
  if (distDir) rmSync(distDir, { recursive: true, force: true });
});

async function submit(orderId: string, order: Record<string, unknown>): Promise<void> {
  await probe.send(Topics.ordersSubmitted, orderId, { orderId, channel: 'web', customer: { id: 'CUST-42' }, currency: 'EUR', placedAt: new Date().toISOString(), ...order });
}


/** A fresh browser page signed in with `token` through the sign-in form. */
async function signedIn(token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(consoleUrl);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

/** The order's fulfillment of `kind`: a click & collect order sourced by a transfer has a PICKUP one too. */
const fulfillmentOf = (orderId: string, kind: 'SHIP' | 'PICKUP' | 'TRANSFER') =>
  waitFor(async () => (await http('GET', `${system.url('fulfillment')}/fulfillments?orderId=${orderId}`)).body?.find((f: any) => f.kind === kind), { what: `the ${kind} fulfillment of ${orderId}` });

/** axe-core's WCAG 2.0 and 2.1 A and AA rules on the page as it is: each violation with the elements it names. */
async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated rather than added as a <script>: the console's CSP (self only) rightly refuses an inline one.
  await page.evaluate(readFileSync(require.resolve('axe-core'), 'utf8'));
  const result: { violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] } = await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })",
  );
  return result.violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}

describe('the web console in a real browser', () => {
  it("serves the page with a self-only CSP and no caching, and passes the token to the services untouched", async () => {
    const page = await fetch(consoleUrl);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${consoleUrl}/api/orders/orders/${homeOrder}`)).status).toBe(401);
    const answer = await fetch(`${consoleUrl}/api/orders/orders/${homeOrder}`, { headers: { authorization: `Bearer ${ops}` } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ orderId: homeOrder });
  });

  it("forwards /api/<service>/ to that service only: a path naming another host gets the token nowhere else", async () => {
    const inventory = new URL(system.url('inventory')).host;
    const elsewhere = await fetch(`${consoleUrl}/api/orders//${inventory}/locations`, { headers: { authorization: `Bearer ${ops}` } });
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.text()).not.toContain('"type"');
  });

  it('answers a malformed address 400 and goes on serving', async () => {
    expect((await fetch(`${consoleUrl}/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(consoleUrl)).status).toBe(200);
  });

  it('keeps the screen the user went to when an order they left was still loading, and shows nothing of it once signed out', async () => {
    const page = await signedIn(ops);
    await page.getByRole('link', { name: 'Stock' }).waitFor();
    let release: () => void = () => undefined;
    const held = new Promise<void>((done) => (release = done));
    await page.route(`**/api/orders/orders/${homeOrder}`, async (route) => (await held, route.continue()));
    let answered = 0;
    page.on('requestfinished', (request) => void (request.url().endsWith(`/api/orders/orders/${homeOrder}`) && answered++));
    await page.goto(`${consoleUrl}/#/order/${homeOrder}`);
    await page.getByText(`Loading order ${homeOrder}…`).waitFor();
    await page.getByRole('link', { name: 'Stock' }).click();
    await page.getByRole('heading', { name: 'Stock' }).waitFor();
    await page.goto(`${consoleUrl}/#/order/${homeOrder}`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    release();
    await page.getByLabel('Token').waitFor();
    await waitFor(() => answered === 2, { what: 'both held answers read' });
    // What the page does with them comes after: before the fix, the order took the page.
    await page.waitForTimeout(500);
    await expect(page.getByRole('heading', { name: `Order ${homeOrder}` }).count()).resolves.toBe(0);
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('signs in a name written in any script, refuses a token of no Fil role, and asks again for a token that expired in the tab', async () => {
    const page = await signedIn(signToken({ sub: 'préparatrice-é', role: 'staff', locations: [warehouse.id] }));
    await page.getByText('préparatrice-é (staff at WH-LYON)').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Token').fill(signToken({ sub: 'someone', role: 'customer' } as never));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'This is not a Fil token' }).waitFor();
    const expired = signToken({ sub: 'ops-desk', role: 'ops' }, { expiresInSeconds: -60 });
    await page.evaluate((token) => sessionStorage.setItem('fil.token', token), expired);
    await page.goto(`${consoleUrl}/#/stock`);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(`${consoleUrl}/#/order/100%`);
    await page.getByLabel('Token').fill(ops);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.goto(`${consoleUrl}/#/order/100%`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.close();
  });

  it('refuses in the page a text that is no token, and an expired token', async () => {
    const page = await browser.newPage();
    await page.goto(consoleUrl);
    await page.getByLabel('Token').fill('not-a-token');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'This is not a Fil token' }).waitFor();
    await page.getByLabel('Token').fill(signToken({ sub: 'gone', role: 'ops' }, { expiresInSeconds: -60 }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /^This token expired at / }).waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.close();
  });

  it("lets a warehouse picker short-pick a line with its reason, and shows the service's answer", async () => {
    const fulfillment = await fulfillmentOf(homeOrder, 'SHIP');
    const page = await signedIn(picker);
    await page.getByRole('link', { name: new RegExp(`order ${homeOrder}`) }).click();
    const tshirt = page.getByRole('group', { name: /SKU-TSHIRT × 2/ });
    const jeans = page.getByRole('group', { name: /SKU-JEANS × 1/ });
    // A SKU that is not the line's is refused in the page.
    await tshirt.getByLabel('Scanned SKU').fill('SKU-JEANS');
    await jeans.getByLabel('Scanned SKU').fill('SKU-JEANS');
    await page.getByRole('button', { name: 'Confirm pick' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('is not SKU-TSHIRT');

    await tshirt.getByLabel('Scanned SKU').fill('SKU-TSHIRT');
    await tshirt.getByLabel('Quantity found').fill('1');
    await page.getByRole('button', { name: 'Confirm pick' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('say why');
    await tshirt.getByLabel('Reason when short').selectOption('NOT_FOUND');
    await page.getByRole('button', { name: 'Confirm pick' }).click();
    await page.getByRole('status').filter({ hasText: '200: picked' }).waitFor();
    await page.getByTestId('status').filter({ hasText: 'PICKED' }).waitFor();
    await page.getByText('Short: SKU-TSHIRT 1 missing (NOT_FOUND)').waitFor();
    const { body } = await http('GET', `${system.url('fulfillment')}/fulfillments/${fulfillment.id}`);
    expect(body.shortLines).toEqual([{ sku: 'SKU-TSHIRT', missing: 1, reason: 'NOT_FOUND' }]);

    // Packed by someone else meanwhile (the page keeps what is being typed): the 409 and its reason are shown.
    await page.getByLabel('Parcel 1 weight (kg)').fill('2.5');
    const base = `${system.url('fulfillment')}/fulfillments/${fulfillment.id}`;
    expect((await http('POST', `${base}/pack`, { parcels: [{ weightKg: 1.2 }] }, picker)).status).toBe(200);
    await page.getByRole('button', { name: 'Confirm packing' }).click();
    await page.getByRole('alert').filter({ hasText: /^409: cannot pack fulfillment .*it is PACKED/ }).waitFor();
    await page.getByRole('form', { name: 'Ship' }).waitFor();
    await page.close();
  });

  it('lets a store associate make a click & collect order ready and hand it over against the order id; a wrong id is refused before any call', async () => {
    const fulfillment = await fulfillmentOf(pickupOrder, 'PICKUP');
    expect(fulfillment).toMatchObject({ kind: 'PICKUP', locationId: store.id });
    const page = await signedIn(associate);
    const counter = page.getByRole('region', { name: 'Counter: click & collect' });
    await counter.getByRole('link', { name: new RegExp(`order ${pickupOrder}`) }).click();
    await page.getByRole('button', { name: 'Mark ready for pickup' }).click();
    await page.getByRole('status').filter({ hasText: '200: ready for pickup' }).waitFor();

    const requests: string[] = [];
    page.on('request', (request) => request.method() === 'POST' && requests.push(request.url()));
    await page.getByLabel("Customer's order id").fill(homeOrder);
    await page.getByRole('button', { name: 'Hand over' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain("is not this parcel's order");
    expect(requests).toEqual([]);

    await page.getByLabel("Customer's order id").fill(pickupOrder);
    await page.getByRole('button', { name: 'Hand over' }).click();
    await page.getByRole('status').filter({ hasText: '200: handed over to the customer' }).waitFor();
    await page.getByTestId('status').filter({ hasText: 'COLLECTED' }).waitFor();
    expect(requests).toEqual([`${consoleUrl}/api/fulfillment/fulfillments/${encodeURIComponent(fulfillment.id)}/collect`]);
    await page.close();
  });

  it("updates a store's work list without a reload when a new click & collect order arrives", async () => {
    const page = await signedIn(associate);
    const counter = page.getByRole('region', { name: 'Counter: click & collect' });
    await counter.waitFor();
    await page.evaluate('window.stillTheSamePage = true');
    const lateOrder = `WEB-${run}-LATE`;
    await expect(counter.textContent()).resolves.not.toContain(lateOrder);
    await submit(lateOrder, { deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: store.id, lines: [{ lineId: '1', sku: 'SKU-CAP', quantity: 1, unitPrice: 15 }] });
    // The list is read again every 10 s; the order takes a moment to reach the store.
    await counter.getByRole('link', { name: new RegExp(`order ${lateOrder}`) }).waitFor({ timeout: 30_000 });
    await expect(page.evaluate('window.stillTheSamePage')).resolves.toBe(true);
    await page.close();
  });

  it('lets the warehouse send a transfer by keyboard and the store receive it from its list of transfers to receive', async () => {
    const transfer = await fulfillmentOf(transferOrder, 'TRANSFER');
    expect(transfer).toMatchObject({ kind: 'TRANSFER', locationId: warehouse.id, destinationLocationId: store.id });
    const page = await signedIn(picker);
    await page.getByRole('link', { name: new RegExp(`order ${transferOrder}`) }).click();
    // As a scanner does: the SKU then Enter moves on to the quantity, and Enter there confirms.
    await page.getByLabel('Scanned SKU').focus();
    await page.keyboard.type('SKU-JEANS');
    await page.keyboard.press('Enter');
    await expect(page.evaluate('document.activeElement.getAttribute("name")')).resolves.toBe('found-0');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '200: picked' }).waitFor();
    await page.getByLabel('Parcel 1 weight (kg)').fill('0.8');
    await page.getByRole('button', { name: 'Confirm packing' }).click();
    await page.getByRole('status').filter({ hasText: '200: packed' }).waitFor();
    await page.getByLabel('Carrier').fill('Chronopost');
    await page.getByLabel('Tracking number').fill('XY123456789FR');
    await page.getByRole('button', { name: 'Confirm shipping' }).click();
    await page.getByRole('status').filter({ hasText: '200: shipped' }).waitFor();
    await page.getByTestId('status').filter({ hasText: 'IN_TRANSIT' }).waitFor();
    await page.close();

    const store_ = await signedIn(associate);
    const toReceive = store_.getByRole('region', { name: 'Transfers to receive' });
    await toReceive.getByRole('link', { name: new RegExp(`order ${transferOrder}`) }).click();
    await store_.getByRole('button', { name: 'Receive the transfer' }).click();
    await store_.getByRole('status').filter({ hasText: '200: received' }).waitFor();
    await store_.getByTestId('status').filter({ hasText: 'RECEIVED' }).waitFor();
    await store_.close();
  });

  it("shows ops an order found by id with its routing explanation, the winner's row marked chosen", async () => {
    const page = await signedIn(ops);
    await page.getByLabel('Order id').fill(homeOrder);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Order ${homeOrder}` }).waitFor();
    const candidates = page.getByRole('table', { name: 'Candidates' }).first();
    const chosen = candidates.locator('tr.chosen');
    await expect(chosen.count()).resolves.toBe(1);
    await expect(chosen.locator('td').first().textContent()).resolves.toBe(warehouse.id);
    await expect(chosen.textContent()).resolves.toContain('chosen');
    await expect(page.getByRole('table', { name: 'Timeline' }).textContent()).resolves.toContain('RECEIVED');

    await page.getByRole('link', { name: 'Stock' }).click();
    await page.getByLabel('SKU').fill('SKU-CAP');
    await page.keyboard.press('Enter');
    const stock = page.getByRole('table', { name: /^SKU-CAP: \d+ available to promise$/ });
    const { body: rows } = await http('GET', `${system.url('inventory')}/stock/SKU-CAP`);
    await expect(stock.locator('tbody tr').first().textContent()).resolves.toBe(`${store.id}${rows[0].onHand}${rows[0].reserved}${rows[0].safetyStock}${rows[0].atp}`);
    await page.close();
  });

  it("shows a staff member of another store none of the first store's work, and the services' refusals", async () => {
    const page = await signedIn(stranger);
    await page.getByRole('heading', { name: `Work at ${otherStore.id}` }).waitFor();
    await page.getByText('No click & collect order.').waitFor();
    await expect(page.getByRole('main').textContent()).resolves.not.toContain(pickupOrder);

    await page.goto(`${consoleUrl}/#/work/${store.id}`);
    await page.getByRole('alert').filter({ hasText: /^403: .*may not see that location's work/ }).waitFor();

    const { id } = await fulfillmentOf(homeOrder, 'SHIP');
    await page.goto(`${consoleUrl}/#/fulfillment/${id}`);
    await page.getByRole('alert').filter({ hasText: /^404: / }).waitFor();
    await page.close();
  });
});

describe('the console for ops and customer service: order search, trace links, dead letters', () => {
  const channel = `ops-${run}`;
  /** More than one page of the console's 20. */
  const searched = Array.from({ length: 23 }, (_, index) => `OPS-${run}-${String(index + 1).padStart(2, '0')}`);
  const cancellable = `OPS-${run}-CANCEL`;
  /** Each order's trace, as a channel that traces its requests would send it (tests run with span export off). */
  const traceOf = (orderId: string) => createHash('sha256').update(orderId).digest('hex').slice(0, 32);


  beforeAll(async () => {
    expect((await http('PUT', `${system.url('inventory')}/locations/${warehouse.id}/stock/SKU-OPS`, { onHand: 5, safetyStock: 0 })).status).toBe(200);
    // Nothing holds SKU-NONE: each is backordered whole, and found by its channel all the same.
    for (const orderId of searched) {
      const order = { orderId, channel, customer: { id: 'CUST-OPS' }, currency: 'EUR', placedAt: new Date().toISOString(), deliveryMode: 'HOME_DELIVERY', shippingAddress: { lat: 45.764, lng: 4.8357 }, lines: [{ lineId: '1', sku: 'SKU-NONE', quantity: 1, unitPrice: 5 }] };
      await probe.send(Topics.ordersSubmitted, orderId, order, { traceparent: `00-${traceOf(orderId)}-00f067aa0ba902b7-01` });
    }
    await waitFor(async () => (await http('GET', `${system.url('inventory')}/stock/SKU-OPS`)).body?.[0]?.atp === 5, { what: 'SKU-OPS in stock' });
    await waitFor(async () => (await http('GET', `${system.url('order-orchestrator')}/availability?skus=SKU-OPS`)).body?.some((row: any) => row.atp === 5), { what: "the orchestrator's view of SKU-OPS" });
    await submit(cancellable, { channel, deliveryMode: 'HOME_DELIVERY', shippingAddress: { lat: 45.764, lng: 4.8357 }, lines: [{ lineId: '1', sku: 'SKU-OPS', quantity: 1, unitPrice: 5 }] });
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === cancellable && m.value.status === 'ALLOCATED', 30_000);
    await waitFor(async () => (await http('GET', `${system.url('order-orchestrator')}/orders?channel=${channel}&limit=100`)).body?.length === searched.length + 1, {
      what: `the ${searched.length + 1} orders of ${channel}`,
    });
  });

  it("keeps the page's own list of order statuses equal to the contract's", () => {
    // The page is a browser bundle without the contracts' validators: its own copy is checked against them here.
    expect([...CONSOLE_STATUSES]).toEqual([...ORDER_STATUSES]);
    expect(NOT_CANCELLABLE.every((status) => (ORDER_STATUSES as readonly string[]).includes(status))).toBe(true);
  });

  it('lets ops search a channel and page through its orders, each listed once, then open one and follow its trace link', async () => {
    const page = await signedIn(ops);
    await page.getByRole('heading', { name: 'Orders' }).waitFor();
    await page.getByLabel('Channel').fill(channel);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const idsOn = async (pageNumber: number) => {
      const results = page.getByRole('table', { name: `Orders, page ${pageNumber}` });
      await results.waitFor();
      return results.locator('tbody tr td:first-child').allTextContents();
    };
    const first = await idsOn(1);
    expect(first).toHaveLength(20);
    // By keyboard: the pressed button is replaced, focus goes on to the new page's first order.
    await page.getByRole('button', { name: 'Next page' }).focus();
    await page.keyboard.press('Enter');
    const second = await idsOn(2);
    await page.getByText('No more orders.').waitFor();
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe(second[0]);
    expect([...first, ...second].sort()).toEqual([...searched, cancellable].sort());
    await expect(accessibilityViolations(page)).resolves.toEqual([]);

    const opened = second.at(-1)!;
    await page.getByRole('link', { name: opened, exact: true }).click();
    await page.getByRole('heading', { name: `Order ${opened}` }).waitFor();
    // The console server's default trace UI: the local Zipkin.
    await expect(page.getByRole('link', { name: 'Trace' }).getAttribute('href')).resolves.toBe(`http://localhost:9411/zipkin/traces/${traceOf(opened)}`);
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    await page.close();
  });

  it("refuses a search without a filter in the page, and lets ops cancel an order with a reason, showing the service's answer", async () => {
    const page = await signedIn(ops);
    const requests: string[] = [];
    page.on('request', (request) => request.url().includes('/api/') && requests.push(request.url()));
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Give a customer id, a channel or a status.' }).waitFor();
    expect(requests).toEqual([]);

    await page.getByLabel('Order id').fill(cancellable);
    await page.keyboard.press('Enter');
    await page.getByTestId('order-status').filter({ hasText: 'ALLOCATED' }).waitFor();
    await page.getByRole('button', { name: 'Cancel the order' }).click();
    await page.getByRole('alert').filter({ hasText: 'Say why the order is cancelled.' }).waitFor();
    await page.getByLabel('Reason for cancelling').fill('customer called the call centre');
    await page.getByRole('button', { name: 'Cancel the order' }).click();
    await page.getByRole('status').filter({ hasText: /^200: cancelled/ }).waitFor();
    await page.getByTestId('order-status').filter({ hasText: 'CANCELLED' }).waitFor();
    await expect(page.getByRole('button', { name: 'Cancel the order' }).count()).resolves.toBe(0);
    await page.close();
  });

  it('names the trace UI to the page from CONSOLE_TRACE_URL, and refuses to start on a template without {traceId}', async () => {
    await expect((await fetch(`${consoleUrl}/config.json`)).json()).resolves.toEqual({ traceUrl: 'http://localhost:9411/zipkin/traces/{traceId}' });
    const refused = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/console/server.ts'], {
      cwd: root,
      env: { ...process.env, CONSOLE_PORT: String(await freePort()), CONSOLE_TRACE_URL: 'http://jaeger:16686/trace/' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('CONSOLE_TRACE_URL must be an http(s) URL with {traceId} in it, not "http://jaeger:16686/trace/"');
  });

  it('lists ops the orders needing attention with one button', async () => {
    const page = await signedIn(ops);
    await page.getByRole('button', { name: 'Orders needing attention' }).click();
    await expect(page.getByLabel('Status').inputValue()).resolves.toBe('NEEDS_ATTENTION');
    await page.getByText(/^No order matches\.$|^No more orders\.$/).first().waitFor();
    const { body: attention } = await http('GET', `${system.url('order-orchestrator')}/orders?status=NEEDS_ATTENTION&limit=20`);
    const shown = attention.length ? await page.getByRole('table', { name: 'Orders, page 1' }).locator('tbody tr td:first-child').allTextContents() : [];
    expect(shown).toEqual(attention.map((order: { orderId: string }) => order.orderId));
    await page.close();
  });

  it('shows ops a message a service could not read, with its reason, and re-sends it once, showing the answer', async () => {
    const key = `${warehouse.id}:SKU-${run}-BROKEN`;
    await probe.send(Topics.inventoryAdjustments, key, '{"adjustmentId": ');
    const listed = await waitFor(
      async () => (await http('GET', `${system.url('order-orchestrator')}/dead-letters`, undefined, ops)).body?.find?.((letter: any) => letter.key === key),
      { timeoutMs: 30_000, what: 'the dead letter of the unreadable adjustment' },
    );
    expect(listed).toMatchObject({ consumer: 'inventory', originalTopic: Topics.inventoryAdjustments, reason: expect.stringMatching(/^value is not valid JSON/) });

    const page = await signedIn(ops);
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const row = page.getByRole('row').filter({ hasText: key }).filter({ has: page.getByRole('button', { name: /^Re-send/ }) });
    await expect(row.textContent()).resolves.toContain('value is not valid JSON');
    await row.getByRole('button', { name: /^Re-send/ }).click();
    await page.getByRole('status').filter({ hasText: `200: ${listed.id} re-sent to ${Topics.inventoryAdjustments}; inventory handles it once` }).waitFor();
    await page.getByRole('row').filter({ hasText: key }).filter({ hasText: /re-sent at .* by ops-desk/ }).waitFor();
    await expect(accessibilityViolations(page)).resolves.toEqual([]);
    // Re-sent once: asked again (another tab, a double click), the service refuses and says when.
    const again = await http('POST', `${system.url('order-orchestrator')}/dead-letters/${listed.id}/redrive`, undefined, ops);
    expect(again).toMatchObject({ status: 409, body: { message: expect.stringContaining(`dead letter ${listed.id} was already re-sent`) } });
    await page.close();
  });
});

describe('the console for staff: returns, e-reservations at the counter, KPIs, keyboard and accessibility', () => {
  const scarf = 'SKU-STAFF-SCARF';
  const gloves = 'SKU-STAFF-GLOVES';
  const collected = `WEB-${run}-RET`;
  const returnA = `RET-${run}-A`;
  const returnB = `RET-${run}-B`;
  const walkIn = `RET-${run}-WALK-IN`;
  const reservations = [`WEB-${run}-ERES-1`, `WEB-${run}-ERES-2`];
  const byKeyboard = `WEB-${run}-KEYS`;

  /** A click & collect order at the store, made ready and collected through the fulfillment API. */
  async function collectedOrder(orderId: string, lines: { sku: string; quantity: number; unitPrice: number }[]): Promise<void> {
    await submit(orderId, { deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: store.id, lines: lines.map((line, index) => ({ lineId: String(index + 1), ...line })) });
    const { id } = await fulfillmentOf(orderId, 'PICKUP');
    expect((await http('POST', `${system.url('fulfillment')}/fulfillments/${id}/ready`, {})).status).toBe(200);
    expect((await http('POST', `${system.url('fulfillment')}/fulfillments/${id}/collect`, {})).status).toBe(200);
  }

  /** A return announced at the store, once returns has seen the order collected. */
  const requestReturn = (returnId: string, orderId: string, lines: { sku: string; quantity: number; reason?: string }[]) =>
    waitFor(async () => (await http('POST', `${system.url('returns')}/returns`, { returnId, orderId, locationId: store.id, lines })).status === 201, { timeoutMs: 30_000, what: `return ${returnId} requested` });


  /** Presses Tab until the focused element's text or label matches, as a keyboard user looks for it. */
  async function tabTo(page: Page, target: RegExp): Promise<void> {
    for (let presses = 0; presses < 60; presses++) {
      await page.keyboard.press('Tab');
      // The page itself (focus left the document, or a new screen took it) names nothing.
      const focused = await page.evaluate("(() => { const e = document.activeElement; return !e || e === document.body || e.id === 'main' ? '' : (e.labels?.[0]?.textContent ?? '') + ' ' + (e.textContent ?? ''); })()");
      if (target.test(focused as string)) return;
    }
    throw new Error(`Tab never reached ${target}`);
  }

  beforeAll(async () => {
    for (const [sku, onHand] of [[scarf, 5], [gloves, 5]] as const) {
      expect((await http('PUT', `${system.url('inventory')}/locations/${store.id}/stock/${sku}`, { onHand, safetyStock: 0 })).status).toBe(200);
    }
    await waitFor(async () => (await http('GET', `${system.url('order-orchestrator')}/availability?skus=${scarf},${gloves}`)).body?.filter((row: any) => row.atp === 5).length === 2, { what: 'the staff SKUs in the orchestrator' });
    await collectedOrder(collected, [{ sku: scarf, quantity: 3, unitPrice: 25 }, { sku: gloves, quantity: 1, unitPrice: 12 }]);
    await requestReturn(returnA, collected, [{ sku: scarf, quantity: 1, reason: 'TOO_SHORT' }, { sku: gloves, quantity: 1 }]);
    await requestReturn(returnB, collected, [{ sku: scarf, quantity: 1 }]);
    // Announced at no store: the customer may bring it to any.
    expect((await http('POST', `${system.url('returns')}/returns`, { returnId: walkIn, orderId: collected, lines: [{ sku: scarf, quantity: 1 }] })).status).toBe(201);
    await submit(reservations[0], { deliveryMode: 'E_RESERVATION', pickupLocationId: store.id, lines: [{ lineId: '1', sku: scarf, quantity: 1, unitPrice: 25 }] });
    await submit(reservations[1], { deliveryMode: 'E_RESERVATION', pickupLocationId: store.id, lines: [{ lineId: '1', sku: gloves, quantity: 1, unitPrice: 12 }] });
    for (const orderId of reservations) await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.value.status === 'RESERVED', 30_000);
    await submit(byKeyboard, { deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: store.id, lines: [{ lineId: '1', sku: gloves, quantity: 1, unitPrice: 12 }] });
  });

  it("lets a store associate receive a return line by line with its condition, the list updating without a reload, and shows the service's 409", async () => {
    const page = await signedIn(associate);
    await page.getByRole('link', { name: 'Returns' }).click();
    await page.getByRole('heading', { name: `Returns at ${store.id}` }).waitFor();
    await page.evaluate('window.stillTheSamePage = true');
    const toReceive = page.getByRole('region', { name: 'Returns to receive' });
    const formA = toReceive.getByRole('form', { name: `Return ${returnA}` });
    const requests: string[] = [];
    page.on('request', (request) => request.method() === 'POST' && requests.push(request.url()));

    // A condition is an inspection: never defaulted, refused in the page when missing.
    await formA.getByRole('group', { name: /SKU-STAFF-SCARF × 1 \(TOO_SHORT\)/ }).getByLabel('Condition').selectOption('RESELLABLE');
    await formA.getByRole('button', { name: `Receive return ${returnA}` }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(`Return ${returnA}, ${gloves}: choose its condition.`);
    expect(requests).toEqual([]);

    await formA.getByRole('group', { name: /SKU-STAFF-GLOVES × 1/ }).getByLabel('Condition').selectOption('DAMAGED');
    await formA.getByRole('button', { name: `Receive return ${returnA}` }).click();
    await page.getByRole('status').filter({ hasText: `200: return ${returnA} received, REFUNDED, refund 37 EUR` }).waitFor();
    await formA.waitFor({ state: 'detached' });
    await expect(page.evaluate('window.stillTheSamePage')).resolves.toBe(true);
    const { body: received } = await http('GET', `${system.url('returns')}/returns/${returnA}`);
    expect(received).toMatchObject({ status: 'REFUNDED', receivedLocationId: store.id, inspection: [{ sku: scarf, quantity: 1, condition: 'RESELLABLE' }, { sku: gloves, quantity: 1, condition: 'DAMAGED' }] });

    // Received differently at the counter next door meanwhile: the page keeps the form (focus inside) and shows the conflict.
    const formB = toReceive.getByRole('form', { name: `Return ${returnB}` });
    await formB.getByLabel('Condition').selectOption('RESELLABLE');
    expect((await http('POST', `${system.url('returns')}/returns/${returnB}/receive`, { locationId: store.id, lines: [{ sku: scarf, quantity: 1, condition: 'DAMAGED' }] }, associate)).status).toBe(200);
    await formB.getByRole('button', { name: `Receive return ${returnB}` }).click();
    await page.getByRole('alert').filter({ hasText: `409: return ${returnB} is REFUNDED; it was already received or cannot be received` }).waitFor();
    await formB.waitFor({ state: 'detached' });
    await page.close();
  });

  it('keeps a half-filled receipt through the list\'s refresh, whether the focus stayed in it or not, and receives what was typed', async () => {
    const hat = 'SKU-STAFF-HAT';
    const orderId = `WEB-${run}-RET-HAT`;
    const returnId = `RET-${run}-HAT`;
    expect((await http('PUT', `${system.url('inventory')}/locations/${store.id}/stock/${hat}`, { onHand: 4, safetyStock: 0 })).status).toBe(200);
    await waitFor(async () => (await http('GET', `${system.url('order-orchestrator')}/availability?skus=${hat}`)).body?.some((row: any) => row.atp === 4), { what: 'the hats in the orchestrator' });
    await collectedOrder(orderId, [{ sku: hat, quantity: 2, unitPrice: 20 }]);
    await requestReturn(returnId, orderId, [{ sku: hat, quantity: 2 }]);

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.clock.install();
    await page.goto(consoleUrl);
    await page.getByLabel('Token').fill(associate);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Returns' }).click();
    const form = page.getByRole('region', { name: 'Returns to receive' }).getByRole('form', { name: `Return ${returnId}` });
    await form.getByLabel('Quantity received').fill('1');
    await form.getByLabel('Condition').selectOption('DAMAGED');
    // The focus leaves the form, and two refreshes come and go.
    await page.getByRole('heading', { name: `Returns at ${store.id}` }).click();
    await page.clock.runFor(21_000);
    await expect(form.getByLabel('Quantity received').inputValue()).resolves.toBe('1');
    await expect(form.getByLabel('Condition').inputValue()).resolves.toBe('DAMAGED');
    await form.getByRole('button', { name: `Receive return ${returnId}` }).click();
    await page.getByRole('status').filter({ hasText: `200: return ${returnId} received, REFUNDED, refund 20 EUR` }).waitFor();
    expect((await http('GET', `${system.url('returns')}/returns/${returnId}`)).body.inspection).toEqual([{ sku: hat, quantity: 1, condition: 'DAMAGED' }]);
    await page.close();
  });

  it("refuses staff another store's returns, and finds a walk-in's return by id", async () => {
    const page = await signedIn(stranger);
    await page.goto(`${consoleUrl}/#/returns/${store.id}`);
    await page.getByRole('alert').filter({ hasText: /^403: this token may not see that location's returns/ }).waitFor();
    await page.goto(`${consoleUrl}/#/returns`);
    await page.getByLabel('Return id').fill(walkIn);
    await page.keyboard.press('Enter');
    await page.getByRole('form', { name: `Return ${walkIn}` }).waitFor();
    // Received at the first store, a return is that store's own.
    await page.getByLabel('Return id').fill(returnA);
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: `404: return ${returnA} not found` }).waitFor();
    await page.close();
  });

  it('shows the counter its e-reservations soonest deadline first, and flags those past their pickup deadline', async () => {
    const fulfillments = await Promise.all(reservations.map((orderId) => fulfillmentOf(orderId, 'PICKUP')));
    for (const f of fulfillments) expect(Date.parse(f.expiresAt) - Date.now()).toBeGreaterThan(47 * 3_600_000);
    const soonestFirst = [...fulfillments].sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt)).map((f) => f.orderId);
    // Still valid two days on by the page's clock, which signs out an expired token.
    const page = await signedIn(signToken({ sub: 'rivoli-seller', role: 'staff', locations: [store.id] }, { expiresInSeconds: 3 * 24 * 3600 }));
    const eReservations = page.getByRole('region', { name: 'Counter: e-reservations' });
    const rows = eReservations.getByRole('listitem').filter({ hasText: new RegExp(reservations.join('|')) });
    await rows.first().waitFor();
    const listed = async () => (await rows.allTextContents()).map((text) => reservations.find((orderId) => text.includes(orderId)));
    await expect(listed()).resolves.toEqual(soonestFirst);
    for (const text of await rows.allTextContents()) expect(text).toMatch(/pick up by .* \(in 4[78] h\)$/);
    await expect(page.getByRole('region', { name: 'Counter: click & collect' }).textContent()).resolves.not.toMatch(new RegExp(reservations.join('|')));

    // Two days later by the page's clock, the same reservations are past their deadline.
    await page.clock.setFixedTime(Date.now() + 49 * 3_600_000);
    await page.getByRole('link', { name: 'Stock' }).click();
    await page.getByRole('link', { name: 'Work' }).click();
    await eReservations.getByText(/^\d+ past the pickup deadline$/).waitFor();
    for (const text of await rows.allTextContents()) expect(text).toMatch(/OVERDUE: pickup deadline .* \(1 h ago\)$/);
    await expect(listed()).resolves.toEqual(soonestFirst);
    await rows.first().getByRole('link').click();
    await page.getByText(/^E-reservation: OVERDUE: pickup deadline/).waitFor();
    await page.close();
  });

  it('shows ops the KPIs of a chosen period as charts, each with its figures as a table, and the service refusing a too long one', async () => {
    const page = await signedIn(ops);
    await page.getByRole('link', { name: 'KPIs' }).click();
    await page.getByRole('heading', { name: 'KPIs' }).waitFor();
    // Last 24 hours, per hour, is shown at once.
    const orders = page.getByRole('img', { name: /^Orders 24 periods from / });
    await orders.waitFor();
    await expect(page.getByRole('img').count()).resolves.toBe(8);
    await page.getByText('Orders: the figures').click();
    const perHour = page.getByRole('table', { name: 'Orders' });
    const counts = (await perHour.locator('tbody tr td:nth-child(2)').allTextContents()).map((text) => Number.parseInt(text, 10));
    expect(counts).toHaveLength(24);
    const whole = await page.getByRole('table', { name: 'Whole period' }).locator('tbody tr').first().locator('td').nth(1).textContent();
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(Number.parseInt(whole!, 10));
    // This test's own orders were all created within the last hour.
    expect(counts[23]).toBeGreaterThanOrEqual(5);

    await page.getByLabel('Period', { exact: true }).selectOption('7d');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('img', { name: /^Fill rate 7 periods from / }).waitFor();

    await page.getByLabel('Period', { exact: true }).selectOption('custom');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('alert').filter({ hasText: 'Give both the start and the end of the period.' }).waitFor();
    await page.getByLabel('From').fill('2025-01-01T00:00');
    await page.getByLabel('To').fill('2026-01-01T00:00');
    await page.getByLabel('Points').selectOption('day');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('alert').filter({ hasText: '400: the window must not be longer than 92 days' }).waitFor();
    await page.close();
  });

  it('passes the WCAG 2 A and AA rules of axe-core on every main screen at a phone-sized viewport', async () => {
    const found: Record<string, string[]> = {};
    const check = async (page: Page, screen: string, ready: () => Promise<unknown>) => {
      await ready();
      const violations = await accessibilityViolations(page);
      // WCAG 1.4.10 (reflow): nothing needs scrolling sideways on a 390 px wide screen.
      const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      if (width > 390) violations.push(`the page is ${width} px wide`);
      if (violations.length) found[screen] = violations;
    };
    const signIn = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signIn.goto(consoleUrl);
    await check(signIn, 'sign-in', () => signIn.getByLabel('Token').waitFor());
    // The check finds what it looks for: an input without a label is a violation.
    await signIn.evaluate("document.querySelector('form').append(document.createElement('input'))");
    await expect(accessibilityViolations(signIn)).resolves.toEqual(['critical label: Form elements must have labels (input)']);
    await signIn.close();

    const staff = await signedIn(associate);
    await check(staff, 'work list', () => staff.getByRole('region', { name: 'Counter: e-reservations' }).getByRole('listitem').first().waitFor());
    await staff.getByRole('region', { name: 'Counter: e-reservations' }).getByRole('link').first().click();
    await check(staff, 'fulfillment (pick)', () => staff.getByRole('form', { name: 'Pick' }).waitFor());
    await staff.goto(`${consoleUrl}/#/returns`);
    await check(staff, 'returns', () => staff.getByRole('heading', { name: 'Returns to receive' }).waitFor());
    await staff.getByRole('link', { name: 'Stock' }).click();
    await staff.getByLabel('SKU').fill(scarf);
    await staff.keyboard.press('Enter');
    await check(staff, 'stock', () => staff.getByRole('table', { name: /available to promise/ }).waitFor());
    await staff.close();

    const desk = await signedIn(ops);
    await desk.getByLabel('Order id').fill(collected);
    await desk.keyboard.press('Enter');
    await check(desk, 'order', () => desk.getByRole('table', { name: 'Timeline' }).waitFor());
    await desk.getByRole('link', { name: 'KPIs' }).click();
    await desk.getByRole('img', { name: /^Orders / }).waitFor();
    await desk.getByText('Orders: the figures').click();
    await check(desk, 'KPIs', () => desk.getByRole('table', { name: 'Orders' }).waitFor());
    await desk.close();
    expect(found).toEqual({});
  });

  it('lets a store associate sign in, make a click & collect order ready and hand it over with the keyboard alone', async () => {
    await fulfillmentOf(byKeyboard, 'PICKUP');
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(consoleUrl);
    await page.evaluate("window.pointerDowns = 0; window.addEventListener('pointerdown', () => window.pointerDowns++, true)");
    await tabTo(page, /Token/);
    await page.keyboard.type(associate);
    await tabTo(page, /Sign in/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Work at ${store.id}` }).waitFor();
    await page.getByRole('region', { name: 'Counter: click & collect' }).getByRole('link', { name: new RegExp(`order ${byKeyboard}`) }).waitFor();
    await tabTo(page, new RegExp(`order ${byKeyboard}`));
    await page.keyboard.press('Enter');
    await tabTo(page, /Mark ready for pickup/);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '200: ready for pickup' }).waitFor();
    await tabTo(page, /Customer's order id/);
    await page.keyboard.type(byKeyboard);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '200: handed over to the customer' }).waitFor();
    await page.getByTestId('status').filter({ hasText: 'COLLECTED' }).waitFor();
    await expect(page.evaluate('window.pointerDowns')).resolves.toBe(0);
    await page.close();
  });

  it('answers its /health probe 200 when it has a page to serve, and 503 when it was not built', async () => {
    expect(await (await fetch(`${consoleUrl}/health`)).json()).toEqual({ status: 'ok' });
    const empty = mkdtempSync(join(tmpdir(), 'fil-console-empty-'));
    const port = await freePort();
    const unbuilt = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/console/server.ts'], { cwd: root, env: { ...process.env, CONSOLE_PORT: String(port), CONSOLE_DIST: empty }, stdio: 'ignore' });
    try {
      const answer = await waitFor(() => fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined), { timeoutMs: 30_000, what: 'the unbuilt console' });
      expect([answer.status, await answer.json()]).toEqual([503, { status: 'not built' }]);
    } finally {
      const exited = new Promise((done) => unbuilt.once('exit', done));
      unbuilt.kill('SIGTERM');
      await exited;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
