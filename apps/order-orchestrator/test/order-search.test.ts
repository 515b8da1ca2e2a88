import type { INestApplication } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { databaseName, dropDatabase } from '@fil/persistence';
import { startService, testToken, useTestEnvironment } from '@fil/testing';

useTestEnvironment('orders-search');
jest.setTimeout(60_000);

let app: INestApplication;
let url: string;

interface Seeded {
  id: string;
  channel: string;
  status: string;
  customer: string;
  /** As PostgreSQL keeps it, to the microsecond. */
  createdAt: string;
}

/** Web and app orders, interleaved, three of them created in the same microsecond. */
const SEEDED: Seeded[] = [
  { id: 'S-01', channel: 'web', status: 'ALLOCATED', customer: 'C-1', createdAt: '2026-02-01T10:00:00.000001Z' },
  { id: 'S-02', channel: 'app', status: 'ALLOCATED', customer: 'C-1', createdAt: '2026-02-01T10:00:00.000002Z' },
  { id: 'S-03', channel: 'web', status: 'NEEDS_ATTENTION', customer: 'C-2', createdAt: '2026-02-01T10:00:00.000003Z' },
  { id: 'S-04', channel: 'web', status: 'SHIPPED', customer: 'C-1', createdAt: '2026-02-01T10:00:00.000900Z' },
  { id: 'S-05', channel: 'web', status: 'ALLOCATED', customer: 'C-2', createdAt: '2026-02-01T10:00:00.000900Z' },
  { id: 'S-06', channel: 'web', status: 'NEEDS_ATTENTION', customer: 'C-1', createdAt: '2026-02-01T10:00:00.000900Z' },
  { id: 'S-07', channel: 'app', status: 'NEEDS_ATTENTION', customer: 'C-2', createdAt: '2026-02-01T10:00:01.500000Z' },
  { id: 'S-08', channel: 'web', status: 'CANCELLED', customer: 'C-1', createdAt: '2026-02-01T10:00:02.000000Z' },
  { id: 'S-09', channel: 'web', status: 'ALLOCATED', customer: 'C-3', createdAt: '2026-02-01T10:00:02.000001Z' },
  { id: 'S-10', channel: 'app', status: 'ALLOCATED', customer: 'C-1', createdAt: '2026-02-01T10:00:03.000000Z' },
  { id: 'S-11', channel: 'web', status: 'REJECTED', customer: 'C-2', createdAt: '2026-02-01T10:00:04.999999Z' },
];

/** Newest first, then the higher order id: the order the pages promise, written out independently of the service's SQL. */
const newestFirst = (orders: Seeded[]) =>
  [...orders].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((o) => o.id);

async function insert(em: EntityManager, order: Seeded) {
  await em.execute(
    `insert into customer_order (order_id, channel, delivery_mode, customer, customer_id, lines, status, content_hash, created_at, updated_at)
     values (?, ?, 'HOME_DELIVERY', ?, ?, '[]', ?, 'seeded', ?, ?)`,
    [order.id, order.channel, JSON.stringify({ id: order.customer }), order.customer, order.status, order.createdAt, order.createdAt],
  );
}

async function list(query: string, token = testToken('ops')): Promise<{ status: number; body: any; next: string | null; link: string | null }> {
  const response = await fetch(`${url}${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json(), next: response.headers.get('x-next-cursor'), link: response.headers.get('link') };
}

/** Every page from `query` on, following the Link header; `between` runs after each page but the last. */
async function allPages(query: string, between: () => Promise<void> = async () => {}): Promise<string[][]> {
  const pages: string[][] = [];
  let path: string | undefined = query;
  while (path) {
    const page = await list(path);
    expect(page.status).toBe(200);
    pages.push(page.body.map((order: { orderId: string }) => order.orderId));
    path = page.link ? /^<([^>]+)>; rel="next"$/.exec(page.link)![1] : undefined;
    expect(page.next === null).toBe(path === undefined);
    if (path) await between();
  }
  return pages;
}

beforeAll(async () => {
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  const em = app.get(MikroORM).em.fork() as EntityManager;
  for (const order of SEEDED) await insert(em, order);
});

afterAll(async () => {
  await app?.close();
  await dropDatabase(databaseName('orders'));
});

describe('GET /orders, a page at a time', () => {
  it("pages through a channel's orders newest first, each once, ties in the same microsecond included", async () => {
    const pages = await allPages('/orders?channel=web&limit=3');
    expect(pages.map((page) => page.length)).toEqual([3, 3, 2]);
    expect(pages.flat()).toEqual(newestFirst(SEEDED.filter((o) => o.channel === 'web')));
  });

  it('neither repeats nor skips an order when orders are created between pages', async () => {
    const em = app.get(MikroORM).em.fork() as EntityManager;
    let created = 0;
    const createOne = async () => {
      created += 1;
      await insert(em, { id: `S-NEW-${created}`, channel: 'web', status: 'RECEIVED', customer: 'C-9', createdAt: new Date().toISOString().replace('Z', '000Z') });
    };
    const web = SEEDED.filter((o) => o.channel === 'web');
    const pages = await allPages('/orders?channel=web&limit=2', createOne);
    expect(created).toBe(3);
    expect(pages.flat()).toEqual(newestFirst(web));
    // The new ones are on a new first page.
    expect((await list('/orders?channel=web&limit=3')).body.map((o: { orderId: string }) => o.orderId)).toEqual(['S-NEW-3', 'S-NEW-2', 'S-NEW-1']);
  });

  it('combines the filters, and keeps a channel token to its own channels', async () => {
    const ids = async (query: string, token?: string) => (await list(query, token)).body.map((o: { orderId: string }) => o.orderId);
    expect(await ids('/orders?status=NEEDS_ATTENTION')).toEqual(['S-07', 'S-06', 'S-03']);
    expect(await ids('/orders?status=NEEDS_ATTENTION&channel=web')).toEqual(['S-06', 'S-03']);
    expect(await ids('/orders?customerId=C-1&channel=app')).toEqual(['S-10', 'S-02']);
    expect(await ids('/orders?customerId=C-2&channel=web&status=ALLOCATED')).toEqual(['S-05']);
    const webOnly = testToken('channel', ['web']);
    expect(await ids('/orders?status=NEEDS_ATTENTION', webOnly)).toEqual(['S-06', 'S-03']);
    expect(await ids('/orders?channel=app', webOnly)).toEqual([]);
    expect((await list('/orders?channel=web&limit=1', webOnly)).next).not.toBeNull();
  });

  it('gives 100 orders by default and says where the next ones are', async () => {
    const em = app.get(MikroORM).em.fork() as EntityManager;
    await em.execute(
      `insert into customer_order (order_id, channel, customer_id, lines, status, content_hash, created_at, updated_at)
       select 'BULK-' || lpad(n::text, 3, '0'), 'bulk', 'C-BULK', '[]', 'ALLOCATED', 'seeded', timestamptz '2026-03-01' + n * interval '1 second', now()
       from generate_series(1, 101) as n`,
    );
    const first = await list('/orders?customerId=C-BULK');
    expect(first.body).toHaveLength(100);
    expect(first.body[0]).toMatchObject({ orderId: 'BULK-101', status: 'ALLOCATED', channel: 'bulk' });
    const second = await list(`/orders?customerId=C-BULK&cursor=${first.next}`);
    expect(second.body.map((o: { orderId: string }) => o.orderId)).toEqual(['BULK-001']);
    expect(second.next).toBeNull();
    expect(second.link).toBeNull();
  });

  it('refuses a missing filter, a bad limit and a cursor it did not give, saying why', async () => {
    const reason = async (query: string) => {
      const answer = await list(query);
      expect(answer.status).toBe(400);
      return [answer.body.message].flat().join('; ');
    };
    expect(await reason('/orders')).toBe('customerId, channel or status is required');
    expect(await reason(`/orders?status=RECEIVED&customerId=${'C'.repeat(201)}`)).toBe('customerId must be 1 to 200 characters');
    expect(await reason('/orders?limit=5')).toContain('customerId, channel or status is required');
    for (const limit of ['0', '501', 'ten', '2.5', '']) expect(await reason(`/orders?channel=web&limit=${limit}`)).toContain('limit must be a whole number from 1 to 500');
    const tampered = Buffer.from('["yesterday","S-01"]').toString('base64url');
    for (const cursor of ['not-a-cursor!', tampered]) expect(await reason(`/orders?channel=web&cursor=${cursor}`)).toContain('cursor is not one this service gave');
  });
});
