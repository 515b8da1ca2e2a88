import { Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { AS_ADMIN, KafkaProbe, startService, useTestEnvironment } from '@fil/testing';
import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { put, store } from './support';

useTestEnvironment('inventory-http');
jest.setTimeout(60_000);

let app: INestApplication;
let url: string;
const probe = new KafkaProbe();

async function errorOf(response: Response): Promise<string> {
  const body = (await response.json()) as { message: string | string[] };
  return ([] as string[]).concat(body.message).join('; ');
}

beforeAll(async () => {
  // AppModule names its database from the environment as it loads: load it after useTestEnvironment.
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await probe.start([Topics.stockLevels, Topics.locations]);
});

afterAll(async () => {
  await probe.stop();
  await app?.close();
  await dropDatabase(databaseName('inventory'));
});

describe('locations', () => {
  it('creates, replaces and reads back a location', async () => {
    expect((await put(url, '/locations/wh-1', { ...store, name: 'First', type: 'WAREHOUSE', dailyCapacity: 100 })).status).toBe(200);
    const promise = { processingHours: 24, cutOffHour: 15, opensAt: '08:00', closesAt: '19:30' };
    const replaced = await put(url, '/locations/wh-1', { ...store, name: 'Saint-Priest', type: 'WAREHOUSE', priority: 1, ...promise });
    expect(replaced.status).toBe(200);
    const expected = { id: 'wh-1', ...store, name: 'Saint-Priest', type: 'WAREHOUSE', dailyCapacity: null, priority: 1, ...promise };
    expect(await replaced.json()).toEqual(expected);
    expect(await (await fetch(`${url}/locations/wh-1`, AS_ADMIN)).json()).toEqual(expected);
    expect(await (await fetch(`${url}/locations`, AS_ADMIN)).json()).toContainEqual(expected);
  });

  it.each([
    [{ cutOffHour: 24 }, 'cutOffHour must not be greater than 23'],
    [{ processingHours: -1 }, 'processingHours must not be less than 0'],
    [{ opensAt: '9:00' }, 'opensAt must be a time HH:MM'],
    [{ opensAt: '20:00', closesAt: '09:00' }, 'closesAt must be after opensAt'],
  ])('refuses a promise profile %j with the reason', async (profile, reason) => {
    const response = await put(url, '/locations/wh-bad-hours', { ...store, ...profile });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string[] }).message).toContain(reason);
  });

  it('announces every version of a location on the compacted locations topic, for routing', async () => {
    await put(url, '/locations/wh-announced', { ...store, name: 'Before', type: 'WAREHOUSE', dailyCapacity: 40 });
    await put(url, '/locations/wh-announced', { ...store, name: 'After', type: 'WAREHOUSE', ship: false, priority: 2 });
    const second = await probe.waitForMessage(Topics.locations, (m) => m.key === 'wh-announced' && m.value.name === 'After');
    const versions = probe.messages(Topics.locations, (m) => m.key === 'wh-announced');
    expect(versions.map((m) => m.value.name)).toEqual(['Before', 'After']);
    expect(versions[0].value.dailyCapacity).toBe(40);
    expect(second.headers.ce_type).toBe('LocationChanged');
    const { lat, lng, pickup, reserve } = store as Record<string, unknown>;
    expect(second.value).toEqual({ id: 'wh-announced', name: 'After', type: 'WAREHOUSE', lat, lng, ship: false, pickup, reserve, dailyCapacity: null, priority: 2, processingHours: null, cutOffHour: null, opensAt: null, closesAt: null });
  });

  it('answers 404 for an unknown location', async () => {
    expect((await fetch(`${url}/locations/nope`, AS_ADMIN)).status).toBe(404);
  });

  it.each([
    ['a type other than WAREHOUSE or STORE', { type: 'SHOP' }, /type must be one of WAREHOUSE, STORE/],
    ['a latitude beyond 90', { lat: 91 }, /lat must not be greater than 90/],
    ['a longitude below -180', { lng: -181 }, /lng must not be less than -180/],
    ['no name', { name: '' }, /name should not be empty/],
    ['a capability that is not a boolean', { pickup: 'yes' }, /pickup must be a boolean/],
    ['a negative daily capacity', { dailyCapacity: -1 }, /dailyCapacity must not be less than 0/],
    ['an unknown field', { colour: 'red' }, /property colour should not exist/],
  ])('refuses %s with a 400 that says what is wrong', async (_, change, message) => {
    const response = await put(url, '/locations/bad', { ...store, ...change });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(message);
  });

  it('takes a location that names its own id in the body, as GET answers it, and refuses one naming another', async () => {
    const same = await put(url, '/locations/wh-with-id', { id: 'wh-with-id', ...store });
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({ id: 'wh-with-id', name: store.name });
    const other = await put(url, '/locations/wh-with-id', { id: 'wh-other', ...store });
    expect(other.status).toBe(400);
    expect(await errorOf(other)).toBe('id in the body (wh-other) is not the id in the path (wh-with-id)');
  });

  it('refuses an id that cannot travel in a Kafka key', async () => {
    const response = await put(url, '/locations/a:b', store);
    expect(response.status).toBe(400);
  });
});

describe('stock', () => {
  beforeAll(async () => {
    await put(url, '/locations/st-1', store);
    await put(url, '/locations/st-2', { ...store, name: 'Other' });
  });

  it('sets onHand and safety stock, shows ATP per location and publishes the level through the outbox', async () => {
    expect((await put(url, '/locations/st-2/stock/SKU-1', { onHand: 3 })).status).toBe(200);
    const response = await put(url, '/locations/st-1/stock/SKU-1', { onHand: 10, safetyStock: 2 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ locationId: 'st-1', sku: 'SKU-1', onHand: 10, reserved: 0, safetyStock: 2, atp: 8 });
    expect(await (await fetch(`${url}/stock/SKU-1`, AS_ADMIN)).json()).toEqual([
      { locationId: 'st-1', sku: 'SKU-1', onHand: 10, reserved: 0, safetyStock: 2, atp: 8 },
      { locationId: 'st-2', sku: 'SKU-1', onHand: 3, reserved: 0, safetyStock: 0, atp: 3 },
    ]);
    const level = await probe.waitForMessage(Topics.stockLevels, (m) => m.key === 'st-1:SKU-1');
    expect(level.value).toEqual({ locationId: 'st-1', sku: 'SKU-1', onHand: 10, reserved: 0, safetyStock: 2, atp: 8 });
    expect(level.headers).toMatchObject({ ce_type: 'StockLevelChanged', ce_source: '/fil/inventory' });
  });

  it('keeps the safety stock when a later count leaves it out, and the count when only the safety stock is given', async () => {
    expect(await (await put(url, '/locations/st-1/stock/SKU-1', { onHand: 12 })).json()).toMatchObject({ onHand: 12, safetyStock: 2, atp: 10 });
    expect(await (await put(url, '/locations/st-1/stock/SKU-1', { safetyStock: 3 })).json()).toMatchObject({ onHand: 12, safetyStock: 3, atp: 9 });
    expect(await (await put(url, '/locations/st-1/stock/SKU-1', { safetyStock: 2 })).json()).toMatchObject({ onHand: 12, safetyStock: 2, atp: 10 });
  });

  it('answers an empty list for a SKU stocked nowhere', async () => {
    expect(await (await fetch(`${url}/stock/SKU-NONE`, AS_ADMIN)).json()).toEqual([]);
  });

  it('answers 404 for stock at an unknown location', async () => {
    const response = await put(url, '/locations/ghost/stock/SKU-1', { onHand: 1 });
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatch(/location ghost not found/);
  });

  it.each([
    ['a negative onHand', { onHand: -1 }, /onHand must not be less than 0/],
    ['a fractional onHand', { onHand: 1.5 }, /onHand must be an integer/],
    ['neither onHand nor safetyStock', {}, /onHand must be an integer/],
    ['a negative safety stock', { onHand: 1, safetyStock: -2 }, /safetyStock must not be less than 0/],
  ])('refuses %s with a 400', async (_, body, message) => {
    const response = await put(url, '/locations/st-1/stock/SKU-1', body);
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(message);
  });

  it('refuses with 409 a count below what is reserved, and changes nothing', async () => {
    await put(url, '/locations/st-1/stock/SKU-2', { onHand: 5 });
    await app.get<MikroORM>(MikroORM).em.fork().execute(`update stock set reserved = 4 where location_id = 'st-1' and sku = 'SKU-2'`);
    const response = await put(url, '/locations/st-1/stock/SKU-2', { onHand: 3 });
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toMatch(/onHand 3 is below the 4 units reserved/);
    expect(await (await fetch(`${url}/stock/SKU-2`, AS_ADMIN)).json()).toEqual([
      { locationId: 'st-1', sku: 'SKU-2', onHand: 5, reserved: 4, safetyStock: 0, atp: 1 },
    ]);
  });

  it('takes a safety stock alone, or a count raised toward the truth, while a POS count left fewer units on hand than reserved', async () => {
    await put(url, '/locations/st-1/stock/SKU-3', { onHand: 5 });
    // A POS count of 3 with 5 units reserved: the physical count wins over Kafka, ATP is 0.
    await app.get<MikroORM>(MikroORM).em.fork().execute(`update stock set on_hand = 3, reserved = 5 where location_id = 'st-1' and sku = 'SKU-3'`);
    expect((await put(url, '/locations/st-1/stock/SKU-3', { safetyStock: 1 })).status).toBe(200);
    expect((await put(url, '/locations/st-1/stock/SKU-3', { onHand: 4 })).status).toBe(200);
    const lower = await put(url, '/locations/st-1/stock/SKU-3', { onHand: 2 });
    expect([lower.status, await errorOf(lower)]).toEqual([409, 'onHand 2 is below the 5 units reserved for st-1:SKU-3']);
    expect(await (await fetch(`${url}/stock/SKU-3`, AS_ADMIN)).json()).toEqual([
      { locationId: 'st-1', sku: 'SKU-3', onHand: 4, reserved: 5, safetyStock: 1, atp: 0 },
    ]);
  });
});

describe('availability near a point', () => {
  beforeAll(async () => {
    const stores = {
      'av-paris': { lat: 48.8606, lng: 2.347 },
      'av-lille': { lat: 50.6369, lng: 3.0634 },
      'av-lyon': { lat: 45.7606, lng: 4.859 },
    };
    for (const [id, point] of Object.entries(stores)) {
      expect((await put(url, `/locations/${id}`, { ...store, name: id, ...point })).status).toBe(200);
    }
    await put(url, '/locations/av-paris/stock/AV-A', { onHand: 1, safetyStock: 0 });
    await put(url, '/locations/av-lille/stock/AV-A', { onHand: 5, safetyStock: 0 });
    await put(url, '/locations/av-lille/stock/AV-B', { onHand: 3, safetyStock: 1 });
    await put(url, '/locations/av-lyon/stock/AV-B', { onHand: 9, safetyStock: 0 });
  });

  it('lists the ATP of several SKUs per location, nearest first, saying which location covers them all', async () => {
    const response = await fetch(`${url}/availability?skus=AV-A,AV-B&quantities=2,2&lat=48.8566&lng=2.3522`, AS_ADMIN);
    expect(response.status).toBe(200);
    const rows = (await response.json()) as any[];
    expect(rows.map((row) => row.locationId)).toEqual(['av-paris', 'av-lille', 'av-lyon']);
    expect(rows[0]).toMatchObject({ lines: [{ sku: 'AV-A', atp: 1 }, { sku: 'AV-B', atp: 0 }], coversAll: false });
    expect(rows[1]).toMatchObject({ lines: [{ sku: 'AV-A', atp: 5 }, { sku: 'AV-B', atp: 2 }], coversAll: true, capabilities: { pickup: true } });
    expect(rows[1].distanceKm).toBeGreaterThan(200);
    expect(rows[1].distanceKm).toBeLessThan(210);
  });

  it('keeps only the locations within the radius', async () => {
    const rows = (await (await fetch(`${url}/availability?skus=AV-A,AV-B&lat=48.8566&lng=2.3522&radiusKm=250`, AS_ADMIN)).json()) as any[];
    expect(rows.map((row) => row.locationId)).toEqual(['av-paris', 'av-lille']);
  });

  it('lists every location holding the SKUs unless a limit is asked for, then the nearest that many', async () => {
    for (let i = 0; i < 22; i++) {
      const id = `av-many-${String(i).padStart(2, '0')}`;
      expect((await put(url, `/locations/${id}`, { ...store, name: id, lat: 40 + i / 10, lng: 2 })).status).toBe(200);
      await put(url, `/locations/${id}/stock/AV-MANY`, { onHand: 1, safetyStock: 0 });
    }
    const every = (await (await fetch(`${url}/availability?skus=AV-MANY&lat=40&lng=2`, AS_ADMIN)).json()) as any[];
    expect(every).toHaveLength(22);
    const nearest = (await (await fetch(`${url}/availability?skus=AV-MANY&lat=40&lng=2&limit=3`, AS_ADMIN)).json()) as any[];
    expect(nearest.map((row) => row.locationId)).toEqual(['av-many-00', 'av-many-01', 'av-many-02']);
  });

  it('ranks on the exact distance: of two locations the same once rounded, the nearer first, not the first by id', async () => {
    // North of the point by 0.54 km (av-near-a) and 0.46 km (av-near-b).
    for (const [id, km] of [['av-near-a', 0.54], ['av-near-b', 0.46]] as const) {
      expect((await put(url, `/locations/${id}`, { ...store, name: id, lat: 30 + km / 111.195, lng: 2 })).status).toBe(200);
      await put(url, `/locations/${id}/stock/AV-NEAR`, { onHand: 1, safetyStock: 0 });
    }
    const nearest = (await (await fetch(`${url}/availability?skus=AV-NEAR&lat=30&lng=2&limit=1`, AS_ADMIN)).json()) as any[];
    expect(nearest.map((row) => [row.locationId, row.distanceKm])).toEqual([['av-near-b', 0.5]]);
  });

  it('answers 400 for malformed SKUs, misaligned quantities or a latitude out of range', async () => {
    expect((await fetch(`${url}/availability?skus=bad sku`, AS_ADMIN)).status).toBe(400);
    expect((await fetch(`${url}/availability?skus=AV-A,AV-B&quantities=1`, AS_ADMIN)).status).toBe(400);
    expect((await fetch(`${url}/availability?skus=AV-A&lat=91&lng=0`, AS_ADMIN)).status).toBe(400);
    expect((await fetch(`${url}/availability`, AS_ADMIN)).status).toBe(400);
  });
});
