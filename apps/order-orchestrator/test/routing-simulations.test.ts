import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { Topics } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, testToken, useTestEnvironment } from '@fil/testing';
import { anOrder, call, command, location, networkKnown, stockLevel, submit } from './support';

useTestEnvironment('orders-simulations');
jest.setTimeout(90_000);

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;

const WH = { lat: 45.76, lng: 4.84 };
const ST = { lat: 45.76, lng: 4.83 };
const CUSTOMER = { lat: 45.764, lng: 4.8357 };
/** Stores far cheaper than warehouses: the Lyon store wins what the Lyon warehouse won on the defaults (4 against 6). */
const STORES_CHEAP = { defaults: { weights: { baseCost: { STORE: 1 } } } };
const price = (base: number, from: { lat: number; lng: number }) => base + 0.01 * haversineKm(from, CUSTOMER);

/** Submits an order and waits until the saga has routed it (its ReserveStock is out). */
async function routed(orderId: string, overrides: Record<string, unknown>): Promise<void> {
  await submit(probe, anOrder(orderId, overrides));
  await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock');
}

beforeAll(async () => {
  await probe.start([Topics.inventoryCommands]);
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await location(probe, 'WH-LYON', WH.lat, WH.lng);
  await location(probe, 'ST-LYON', ST.lat, ST.lng, { type: 'STORE', pickup: true, reserve: true });
  await stockLevel(probe, 'WH-LYON', 'SKU-A', 10);
  await stockLevel(probe, 'ST-LYON', 'SKU-A', 10);
  await stockLevel(probe, 'WH-LYON', 'SKU-B', 10);
  await networkKnown(app, 2, 3);
  const one = (sku: string) => [{ lineId: '1', sku, quantity: 1, unitPrice: 10 }];
  await routed('O-sim-1', { lines: one('SKU-A') });
  await routed('O-sim-2', { lines: one('SKU-B') });
  await routed('O-sim-3', { deliveryMode: 'CLICK_AND_COLLECT', shippingAddress: undefined, pickupLocationId: 'ST-LYON', lines: one('SKU-A') });
});

afterAll(async () => {
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('orders'));
});

describe('routing simulator on orders recorded by the saga', () => {
  it('records with each decision the ATP of the holders of the ordered SKUs and the locations involved', async () => {
    const { body } = await call(url, 'GET', '/orders/O-sim-1');
    expect(body.routing[0].inputs).toMatchObject({ lines: [{ sku: 'SKU-A', quantity: 1 }], shippingAddress: CUSTOMER, excluded: [], atp: { 'SKU-A': { 'WH-LYON': 10, 'ST-LYON': 10 } } });
    expect(body.routing[0].inputs.locations.map((l: { id: string }) => l.id).sort()).toEqual(['ST-LYON', 'WH-LYON']);
  });

  it('compares the policy used with a proposed one over HTTP, per channel and delivery mode, naming the orders that change', async () => {
    const { status, body } = await call(url, 'POST', '/routing/simulations', { policy: STORES_CHEAP }, testToken('ops'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ replayed: 3, skipped: {}, replayDiffers: [] });
    expect(body.changed).toEqual([{ orderId: 'O-sim-1', channel: 'web', deliveryMode: 'HOME_DELIVERY', used: 'SHIP WH-LYON (1 × SKU-A)', proposed: 'SHIP ST-LYON (1 × SKU-A)' }]);
    const [collect, home] = body.groups;
    expect(collect).toMatchObject({ channel: 'web', deliveryMode: 'CLICK_AND_COLLECT', used: { orders: 1, shipmentsPerOrder: 1, totalCost: 0, fillRate: 1 } });
    expect(collect.proposed).toEqual(collect.used);
    expect(home).toMatchObject({
      channel: 'web',
      deliveryMode: 'HOME_DELIVERY',
      used: { orders: 2, shipmentsPerOrder: 1, splitRate: 0, fillRate: 1, backorderedUnits: 0, totalCost: expect.closeTo(2 * price(4, WH), 2) },
      proposed: { orders: 2, totalCost: expect.closeTo(price(1, ST) + price(4, WH), 2), averageDistanceKm: expect.closeTo((haversineKm(ST, CUSTOMER) + haversineKm(WH, CUSTOMER)) / 2, 2) },
    });
  });

  it('replays only the newest orders asked for, and only those created in a window', async () => {
    expect((await call(url, 'POST', '/routing/simulations', { policy: STORES_CHEAP, orders: 1 })).body).toMatchObject({ replayed: 1, changed: [] });
    const future = await call(url, 'POST', '/routing/simulations', { policy: STORES_CHEAP, from: new Date(Date.now() + 60_000).toISOString() });
    expect(future.body).toMatchObject({ replayed: 0, changed: [] });
  });

  it('refuses an invalid proposed policy with the reasons', async () => {
    const refused = await call(url, 'POST', '/routing/simulations', { policy: { defaults: { maxShipments: 0 } }, orders: 0 });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual(expect.arrayContaining(['policy.defaults.maxShipments must not be less than 1', 'orders must not be less than 1']));
  });

  it('refuses a body without a policy with a 400, not a crash', async () => {
    expect((await call(url, 'POST', '/routing/simulations')).status).toBe(400);
    for (const body of [{}, { policy: 'stores first' }]) {
      const refused = await call(url, 'POST', '/routing/simulations', body);
      expect(refused.status).toBe(400);
      expect(refused.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^policy /)]));
    }
  });

  it('prints the same comparison from npm run simulate, reading the orchestrator database', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fil-simulate-')), 'policy.json');
    writeFileSync(file, JSON.stringify(STORES_CHEAP));
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'simulate', '--', '--policy', file, '--orders', '10'], { env: process.env, cwd: join(__dirname, '../../..') });
    expect(stdout).toContain('## Routing simulation: 3 order(s) replayed');
    expect(stdout).toContain(`| web | HOME_DELIVERY | used | 2 | 1.00 | 0.0% | ${haversineKm(WH, CUSTOMER).toFixed(1)} | ${(2 * price(4, WH)).toFixed(2)} | 100.0% | 0 |`);
    expect(stdout).toContain(`| web | HOME_DELIVERY | proposed | 2 | 1.00 | 0.0% |`);
    expect(stdout).toContain('| O-sim-1 | web | HOME_DELIVERY | SHIP WH-LYON (1 × SKU-A) | SHIP ST-LYON (1 × SKU-A) |');
  });
});
