// `npm run console:screenshots`: with `npm start` running (demo network seeded, tokens in
// .local/staff-tokens.sh), signs in to the real console and saves its main screens as PNGs
// in docs/console/. Run `npm run demo` first for an order to show; the newest one is used.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const root = join(__dirname, '..');
const consoleUrl = process.env.CONSOLE_URL ?? 'http://127.0.0.1:3004';
const out = join(root, 'docs', 'console');

/** The tokens `npm start` wrote, by variable name. */
function tokens(): Record<string, string> {
  const text = readFileSync(join(root, '.local', 'staff-tokens.sh'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^export (\w+)=(\S+)$/gm)].map(([, name, value]) => [name, value]));
}

async function main(): Promise<void> {
  const { WAREHOUSE_TOKEN, STORE_TOKEN, OPS_TOKEN } = tokens();
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const shoot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    console.log(`docs/console/${name}.png`);
  };
  const signedIn = async (token: string, viewport = { width: 390, height: 844 }) => {
    const page = await browser.newPage({ viewport });
    await page.goto(consoleUrl);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  };
  try {
    const signIn = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signIn.goto(consoleUrl);
    await shoot(signIn, 'sign-in');

    const warehouse = await signedIn(WAREHOUSE_TOKEN);
    await warehouse.getByText(/^Updated /).waitFor();
    await shoot(warehouse, 'warehouse-work-list');
    const firstWork = warehouse.getByRole('region', { name: 'Pick list' }).getByRole('link').first();
    if (await firstWork.count()) {
      await firstWork.click();
      await warehouse.getByTestId('status').waitFor();
      await shoot(warehouse, 'warehouse-fulfillment');
    }

    const store = await signedIn(STORE_TOKEN);
    await store.getByText(/^Updated /).waitFor();
    await shoot(store, 'store-counter');

    const ops = await signedIn(OPS_TOKEN, { width: 1200, height: 900 });
    const order = await newestOrder(OPS_TOKEN);
    if (order) {
      await ops.goto(`${consoleUrl}/#/order/${encodeURIComponent(order)}`);
      await ops.getByRole('table', { name: 'Candidates' }).first().waitFor();
      await shoot(ops, 'ops-order-routing');
    } else {
      console.log('no order yet: run `npm run demo` for the order page');
    }
    await ops.goto(`${consoleUrl}/#/stock/SKU-0001`);
    await ops.getByRole('table').first().waitFor();
    await shoot(ops, 'ops-stock');

    await ops.goto(`${consoleUrl}/#/order`);
    await ops.getByLabel('Channel').fill('web');
    await ops.getByRole('button', { name: 'Search', exact: true }).click();
    await ops.getByRole('table', { name: /^Orders, page 1/ }).waitFor();
    await shoot(ops, 'ops-order-search');

    await ops.goto(`${consoleUrl}/#/kpis`);
    await ops.locator('svg[role="img"]').first().waitFor();
    await shoot(ops, 'ops-kpis');

    await ops.goto(`${consoleUrl}/#/dead-letters`);
    await ops.getByRole('heading', { name: 'Dead letters' }).waitFor();
    await ops.waitForLoadState('networkidle');
    await shoot(ops, 'ops-dead-letters');

    await store.goto(`${consoleUrl}/#/returns`);
    await store.getByRole('heading', { name: /Returns/ }).first().waitFor();
    await store.waitForLoadState('networkidle');
    await shoot(store, 'store-returns');
  } finally {
    await browser.close();
  }
}

/** The newest order in a status the demo leaves orders in (GET /orders needs a status or a customer). */
async function newestOrder(token: string): Promise<string | undefined> {
  for (const status of ['DELIVERED', 'IN_FULFILLMENT', 'ALLOCATED', 'PARTIALLY_ALLOCATED']) {
    const orders = await (await fetch(`${consoleUrl}/api/orders/orders?status=${status}`, { headers: { authorization: `Bearer ${token}` } })).json();
    if (Array.isArray(orders) && orders.length) return orders[0].orderId;
  }
  return undefined;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
