import type { INestApplication } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Topics, type StockLevel } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import { databaseName, dropDatabase } from '@fil/persistence';
import { ceHeaders, KafkaProbe, startService, useTestEnvironment } from '@fil/testing';
import { applyStockLevels } from '../src/stock/stock-levels';
import { StockService, stockKey, type RoutingNetwork } from '../src/stock/stock.service';
import { call, location, networkKnown, orchestratorSettled, stockLevel } from './support';

useTestEnvironment('orders-stock-view');
jest.setTimeout(60_000);

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;

const level = (locationId: string, sku: string, atp: number): StockLevel => ({ locationId, sku, onHand: atp, reserved: 0, safetyStock: 0, atp });
const viewOf = async (locationId: string, sku: string) =>
  (await app.get(MikroORM).em.fork().getConnection().execute('select atp from stock_view where location_id = ? and sku = ?', [locationId, sku]))[0]?.atp;

beforeAll(async () => {
  await probe.start([Topics.dlq]);
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
});

afterAll(async () => {
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('orders'));
});

describe("the orchestrator's stock view, a batch of levels at a time", () => {
  it('keeps each row at its last figures and names every SKU that rose on the way, even if it fell again', async () => {
    const em = app.get(MikroORM).em.fork() as EntityManager;
    await em.transactional((tx: EntityManager) => applyStockLevels(tx, [level('WH-1', 'SKU-UP-DOWN', 2), level('WH-1', 'SKU-DOWN', 5)]));
    const rose = await em.transactional((tx: EntityManager) =>
      applyStockLevels(tx, [
        level('WH-1', 'SKU-UP-DOWN', 1),
        level('WH-1', 'SKU-DOWN', 3),
        level('WH-2', 'SKU-NEW', 2),
        level('WH-1', 'SKU-UP-DOWN', 4),
        level('WH-2', 'SKU-NONE', 0),
        level('WH-1', 'SKU-UP-DOWN', 0),
      ]),
    );
    expect(rose.map(({ locationId, sku }) => `${locationId}:${sku}`).sort()).toEqual(['WH-1:SKU-UP-DOWN', 'WH-2:SKU-NEW']);
    expect(await viewOf('WH-1', 'SKU-UP-DOWN')).toBe(0);
    expect(await viewOf('WH-1', 'SKU-DOWN')).toBe(3);
    expect(await viewOf('WH-2', 'SKU-NEW')).toBe(2);
    expect(await viewOf('WH-2', 'SKU-NONE')).toBe(0);
  });

  it('applies the valid levels of a batch and sends an unreadable one to the DLQ with the reason', async () => {
    const send = (key: string, value: unknown) => ({ key, value: JSON.stringify(value), headers: ceHeaders('inventory', 'StockLevelChanged') });
    await probe.sendMany(Topics.stockLevels, [
      send('WH-3:SKU-A', level('WH-3', 'SKU-A', 7)),
      send('WH-3:SKU-B', { ...level('WH-3', 'SKU-B', 1), atp: 'many' }),
      send('WH-3:SKU-C', level('WH-3', 'SKU-C', 9)),
    ]);
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.value.originalTopic === Topics.stockLevels && m.key === 'WH-3:SKU-B');
    expect(dead.value.reason).toMatch(/^invalid stock level: .*atp/);
    await orchestratorSettled(app, probe);
    await networkKnown(app, 0, 6);
    expect([await viewOf('WH-3', 'SKU-A'), await viewOf('WH-3', 'SKU-B'), await viewOf('WH-3', 'SKU-C')]).toEqual([7, undefined, 9]);
  });

  it("counts a batch's started fulfillments against the day's capacity as it goes, and writes them once", async () => {
    const em = app.get(MikroORM).em.fork() as EntityManager;
    const stock = app.get(StockService);
    await em.execute(
      `insert into location_view (id, name, type, lat, lng, ship, pickup, reserve, daily_capacity, updated_at)
       values ('WH-CAP', 'capped', 'WAREHOUSE', 45, 4, true, false, false, 2, now()), ('WH-FREE', 'free', 'WAREHOUSE', 45, 4, true, false, false, null, now())`,
    );
    const underCapacity = async (tx: EntityManager) => (await stock.network(tx, [])).locations.find((location) => location.id === 'WH-CAP')!.underCapacity;
    const seen = await em.transactional(async (tx: EntityManager) => {
      stock.startBatch(tx, []);
      const before = await underCapacity(tx);
      for (const id of ['WH-CAP', 'WH-FREE', 'WH-CAP', 'WH-FREE', 'WH-FREE']) await stock.countStarted(tx, id);
      const after = await underCapacity(tx);
      await stock.finishBatch(tx);
      return [before, after];
    });
    expect(seen).toEqual([true, false]);
    const load = await em.execute(`select location_id, started from location_load order by location_id`);
    expect(load).toEqual([
      { location_id: 'WH-CAP', started: 2 },
      { location_id: 'WH-FREE', started: 3 },
    ]);
  });

  it('reads neither the network nor the view for a batch that routes nothing, and reads them once for one that routes twice', async () => {
    const em = app.get(MikroORM).em.fork() as EntityManager;
    const stock = app.get(StockService);
    const readsIn = async (routings: number) =>
      em.transactional(async (tx: EntityManager) => {
        const execute = jest.spyOn(tx, 'execute');
        const find = jest.spyOn(tx, 'find');
        stock.startBatch(tx, ['SKU-A']);
        for (let routing = 0; routing < routings; routing++) await stock.network(tx, ['SKU-A']);
        await stock.countStarted(tx, 'WH-1');
        await stock.finishBatch(tx);
        const reads = execute.mock.calls.filter(([sql]) => String(sql).includes('location_view')).length + find.mock.calls.length;
        execute.mockRestore();
        find.mockRestore();
        return reads;
      });
    expect(await readsIn(0)).toBe(0);
    expect(await readsIn(2)).toBe(2);
  });

  it('gives routing by SKU the same figures as by location, fresher ones and promised units included, in a batch or not', async () => {
    const em = app.get(MikroORM).em.fork() as EntityManager;
    const stock = app.get(StockService);
    await em.execute(
      `insert into stock_view (location_id, sku, on_hand, reserved, safety_stock, atp, updated_at)
       select location_id, sku, atp, 0, 0, atp, now()
       from (values ('WH-H1', 'SKU-H', 5), ('WH-H2', 'SKU-H', 3), ('WH-H3', 'SKU-H', 2), ('WH-H1', 'SKU-J', 4)) as level(location_id, sku, atp)`,
    );
    const fresher = { atp: new Map([[stockKey('WH-H2', 'SKU-H'), 0], [stockKey('WH-H4', 'SKU-H'), 6]]), promised: new Map([[stockKey('WH-H1', 'SKU-H'), 2]]) };
    const byHolders = (network: RoutingNetwork, sku: string) => Object.fromEntries([...network.holders(sku)].filter(([, atp]) => atp > 0));
    const byLocation = (network: RoutingNetwork, sku: string) =>
      Object.fromEntries(['WH-H1', 'WH-H2', 'WH-H3', 'WH-H4', 'WH-H5'].map((id) => [id, network.atp(id, sku)]).filter(([, atp]) => (atp as number) > 0));
    const alone = await stock.network(em, ['SKU-H', 'SKU-J'], fresher);
    const inBatch = await em.transactional(async (tx: EntityManager) => {
      stock.startBatch(tx, ['SKU-H', 'SKU-J']);
      return stock.network(tx, ['SKU-H', 'SKU-J'], fresher);
    });
    for (const network of [alone, inBatch]) {
      expect(byHolders(network, 'SKU-H')).toEqual({ 'WH-H1': 3, 'WH-H3': 2, 'WH-H4': 6 });
      expect(byHolders(network, 'SKU-H')).toEqual(byLocation(network, 'SKU-H'));
      expect(byHolders(network, 'SKU-J')).toEqual({ 'WH-H1': 4 });
    }
  });
});

describe('GET /availability near a point', () => {
  const skus = 'SKU-NEAR,SKU-PARIS';
  const places = { 'NP-LYON': { lat: 45.76, lng: 4.84 }, 'NP-PARIS': { lat: 48.86, lng: 2.35 }, 'NP-MARSEILLE': { lat: 43.3, lng: 5.37 } };
  const km = (from: { lat: number; lng: number }, id: keyof typeof places) => Math.round(haversineKm(from, places[id]) * 10) / 10;
  const rowsOf = (body: { locationId: string; sku: string; distanceKm?: number | null }[]) => body.map(({ locationId, sku, distanceKm }) => [locationId, sku, distanceKm]);

  beforeAll(async () => {
    for (const [id, { lat, lng }] of Object.entries(places)) await location(probe, id, lat, lng);
    for (const [locationId, atp] of [['NP-LYON', 5], ['NP-PARIS', 6], ['NP-MARSEILLE', 7]] as const) await stockLevel(probe, locationId, 'SKU-NEAR', atp);
    await stockLevel(probe, 'NP-PARIS', 'SKU-PARIS', 2);
    await stockLevel(probe, 'NP-UNKNOWN', 'SKU-NEAR', 1);
    await orchestratorSettled(app, probe);
  });

  it('lists the nearest location first with its distance, the locations it knows no place of last', async () => {
    const customer = { lat: 45.75, lng: 4.85 };
    const { status, body } = await call(url, 'GET', `/availability?skus=${skus}&lat=${customer.lat}&lng=${customer.lng}`);
    expect(status).toBe(200);
    expect(rowsOf(body)).toEqual([
      ['NP-LYON', 'SKU-NEAR', km(customer, 'NP-LYON')],
      ['NP-MARSEILLE', 'SKU-NEAR', km(customer, 'NP-MARSEILLE')],
      ['NP-PARIS', 'SKU-NEAR', km(customer, 'NP-PARIS')],
      ['NP-PARIS', 'SKU-PARIS', km(customer, 'NP-PARIS')],
      ['NP-UNKNOWN', 'SKU-NEAR', null],
    ]);
    expect(body[0]).toMatchObject({ onHand: 5, reserved: 0, safetyStock: 0, atp: 5 });
  });

  it('keeps the locations within radiusKm, and at most limit of them', async () => {
    expect(rowsOf((await call(url, 'GET', `/availability?skus=${skus}&lat=45.75&lng=4.85&radiusKm=300`)).body).map(([id]) => id)).toEqual(['NP-LYON', 'NP-MARSEILLE']);
    expect(rowsOf((await call(url, 'GET', `/availability?skus=${skus}&lat=48.85&lng=2.35&limit=1`)).body)).toEqual([
      ['NP-PARIS', 'SKU-NEAR', km({ lat: 48.85, lng: 2.35 }, 'NP-PARIS')],
      ['NP-PARIS', 'SKU-PARIS', km({ lat: 48.85, lng: 2.35 }, 'NP-PARIS')],
    ]);
    // Without a point the rows stay by SKU, then location, and limit takes the first locations by id.
    expect(rowsOf((await call(url, 'GET', `/availability?skus=${skus}&limit=2`)).body)).toEqual([
      ['NP-LYON', 'SKU-NEAR', undefined],
      ['NP-MARSEILLE', 'SKU-NEAR', undefined],
    ]);
  });

  it.each([
    ['half a point', '&lat=45.75', /lng must be a number/],
    ['a radius without a point', '&radiusKm=10', /radiusKm needs lat and lng/],
    ['a latitude off the globe', '&lat=91&lng=4', /lat must not be greater than 90/],
    ['a negative radius', '&lat=45&lng=4&radiusKm=-1', /radiusKm must not be less than 0/],
    ['a limit of none', '&limit=0', /limit must not be less than 1/],
  ])('refuses %s with 400 and the reason', async (_kind, params, reason) => {
    const { status, body } = await call(url, 'GET', `/availability?skus=${skus}${params}`);
    expect(status).toBe(400);
    expect(JSON.stringify(body.message)).toMatch(reason);
  });
});

describe('the nearest locations, ranked on their exact distance', () => {
  // North of the point by 0.54 km (NX-A) and 0.46 km (NX-B): both 0.5 once rounded, NX-B the nearer.
  const point = { lat: 44, lng: 3 };
  const north = (km: number) => point.lat + km / 111.195;

  beforeAll(async () => {
    await location(probe, 'NX-A', north(0.54), point.lng, { type: 'STORE', pickup: true, reserve: true });
    await location(probe, 'NX-B', north(0.46), point.lng, { type: 'STORE', pickup: true, reserve: true });
    for (const id of ['NX-A', 'NX-B']) await stockLevel(probe, id, 'SKU-NX', 3);
    await orchestratorSettled(app, probe);
  });

  it('lists the nearer first in GET /availability and GET /promise, not the first by id of two the same once rounded', async () => {
    const near = `lat=${point.lat}&lng=${point.lng}`;
    const available = await call(url, 'GET', `/availability?skus=SKU-NX&${near}&limit=1`);
    expect(available.body.map((row: { locationId: string }) => row.locationId)).toEqual(['NX-B']);
    const promised = await call(url, 'GET', `/promise?skus=SKU-NX&${near}`);
    expect(promised.body.eReservation.stores.map((store: { locationId: string; distanceKm: number }) => [store.locationId, store.distanceKm])).toEqual([['NX-B', 0.5], ['NX-A', 0.5]]);
  });
});

describe('GET /promise while the network changes', () => {
  it('promises from a location added between its reads, instead of failing on a location without its profile', async () => {
    const em = app.get(MikroORM).em.fork() as EntityManager;
    await em.transactional((tx: EntityManager) => applyStockLevels(tx, [level('WH-ADDED', 'SKU-ADDED', 5)]));
    const stock = app.get(StockService);
    const network = stock.network.bind(stock);
    // The location arrives while the promise is being read: held back until its other reads are done, as a slow query would be.
    jest.spyOn(stock, 'network').mockImplementationOnce(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await em.getConnection().execute(`insert into location_view (id, name, type, lat, lng, ship, pickup, reserve, updated_at) values ('WH-ADDED', 'WH-ADDED', 'WAREHOUSE', 45.75, 4.85, true, false, false, now())`);
      return network(...args);
    });
    const { status, body } = await call(url, 'GET', '/promise?skus=SKU-ADDED&lat=45.75&lng=4.85');
    expect(status).toBe(200);
    expect(body.homeDelivery).toMatchObject({ available: true, shipments: [{ locationId: 'WH-ADDED', estimatedDelivery: expect.any(String) }] });
  });
});
