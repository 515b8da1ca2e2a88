// What the bad-input tests share: the four services in this process, a small network with
// orders in known states, and requests and messages sent byte for byte as a client would.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Topics, serviceSource, type FilService } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, testToken, waitFor } from '@fil/testing';
import { anOrder } from '../apps/order-orchestrator/test/support';

const MODULES = {
  inventory: () => import('../apps/inventory/src/app.module'),
  orders: () => import('../apps/order-orchestrator/src/app.module'),
  fulfillment: () => import('../apps/fulfillment/src/app.module'),
  returns: () => import('../apps/returns/src/app.module'),
};
export type Service = keyof typeof MODULES;

export const WAREHOUSE = 'WH-BAD';
const warehouse = { name: 'Bad-input warehouse', type: 'WAREHOUSE', lat: 45.7, lng: 4.9, ship: true, pickup: false, reserve: false };

/** The four services, started in this process after `useTestEnvironment`, and a probe on the topics the tests read. */
export class BadInputSystem {
  readonly probe = new KafkaProbe();
  private readonly apps = new Map<Service, { app: INestApplication; url: string }>();

  async start(): Promise<void> {
    await this.probe.start([Topics.dlq, Topics.ordersEvents, Topics.stockLevels, Topics.inventoryCommands, Topics.inventoryEvents, Topics.fulfillmentEvents]);
    for (const [service, load] of Object.entries(MODULES) as [Service, (typeof MODULES)[Service]][]) {
      const { AppModule, definition } = await load();
      this.apps.set(service, await startService(AppModule, definition));
    }
  }

  async stop(): Promise<void> {
    await this.probe.stop();
    for (const { app } of this.apps.values()) await app.close();
    await Promise.all([...this.apps.keys()].map((service) => dropDatabase(databaseName(service))));
  }

  url(service: Service): string {
    return this.apps.get(service)!.url;
  }

  /** Reads a service's own tables, for what its HTTP API does not show. */
  sql<T = Record<string, unknown>>(service: Service, query: string, params: unknown[] = []): Promise<T[]> {
    return this.apps.get(service)!.app.get(MikroORM).em.getConnection().execute(query, params);
  }

  /** One warehouse holding `stock` (SKU → units), known to the orchestrator's and returns' views. */
  async seed(stock: Record<string, number>): Promise<void> {
    expect((await call(this.url('inventory'), 'PUT', `/locations/${WAREHOUSE}`, { json: warehouse })).status).toBe(200);
    for (const [sku, onHand] of Object.entries(stock)) {
      expect((await call(this.url('inventory'), 'PUT', `/locations/${WAREHOUSE}/stock/${sku}`, { json: { onHand } })).status).toBe(200);
    }
    const skus = Object.keys(stock).join(',');
    await waitFor(async () => (await call(this.url('orders'), 'GET', `/availability?skus=${skus}`)).body.length === Object.keys(stock).length, {
      what: "the orchestrator's view of the seeded stock",
    });
    await waitFor(async () => (await this.sql('returns', 'select id from location_view where id = ?', [WAREHOUSE])).length, { what: 'returns to know the warehouse' });
  }

  /** Submits a home delivery of `quantity` × `sku` and waits until it is allocated and its fulfillment created; returns the fulfillment's id. */
  async allocatedOrder(orderId: string, sku: string, quantity = 1): Promise<string> {
    await this.probe.send(Topics.ordersSubmitted, orderId, anOrder(orderId, { lines: [{ lineId: '1', sku, quantity, unitPrice: 10 }] }), external('OrderSubmitted'));
    const allocated = await this.orderEvent(orderId, 'OrderAllocated');
    const fulfillmentId: string = allocated.value.allocations[0].fulfillmentId;
    await this.probe.waitForMessage(Topics.fulfillmentEvents, (m) => m.value.fulfillmentId === fulfillmentId && m.headers.ce_type === 'FulfillmentCreated');
    return fulfillmentId;
  }

  /** Staff take the fulfillment through `steps` (pick, pack, ship, deliver) in that order. */
  async work(fulfillmentId: string, sku: string, quantity: number, steps: ('pick' | 'pack' | 'ship' | 'deliver')[]): Promise<void> {
    const bodies = {
      pick: { lines: [{ sku, quantity }] },
      pack: { parcels: [{ weightKg: 1 }] },
      ship: { carrier: 'DHL', trackingNumber: `T-${fulfillmentId}` },
      deliver: undefined,
    };
    for (const step of steps) {
      const { status, body } = await call(this.url('fulfillment'), 'POST', `/fulfillments/${fulfillmentId}/${step}`, { json: bodies[step] });
      expect([step, status, body.status]).toEqual([step, 200, expect.any(String)]);
    }
  }

  orderEvent(orderId: string, type: string) {
    return this.probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.headers.ce_type === type);
  }

  /** The DLQ entry of the message sent with this ce_id. */
  deadLetter(ceId: string) {
    return this.probe.waitForMessage(Topics.dlq, (m) => m.value.headers?.ce_id === ceId);
  }
}

/** CloudEvents headers of a channel, POS or WMS (the contract's inputs). */
export function external(type?: string, id: string = randomUUID()) {
  return { ce_specversion: '1.0', ce_id: id, ce_source: '/channel/test', ...(type ? { ce_type: type } : {}) };
}

/** CloudEvents headers of a Fil service, stamped with its own source as internal topics require. */
export function internal(service: FilService, type: string, id: string = randomUUID()) {
  return { ce_specversion: '1.0', ce_id: id, ce_source: serviceSource(service), ce_type: type };
}

/**
 * One HTTP request, the body sent as given: `json` is encoded, `raw` goes as it is (not JSON,
 * `null`, megabytes...). An admin's token unless told otherwise.
 */
export async function call(
  url: string,
  method: string,
  path: string,
  { json, raw, contentType = 'application/json' }: { json?: unknown; raw?: string; contentType?: string } = {},
): Promise<{ status: number; body: any }> {
  const body = raw ?? (json === undefined ? undefined : JSON.stringify(json));
  const response = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${testToken('admin')}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body,
  });
  const text = await response.text();
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: response.status, body: text };
  }
}

/** What an error answer says, whatever its shape: Nest's message (one or a list), or returns' {reason, message}. */
export function reasonOf(body: any): string {
  if (typeof body === 'string') return body;
  return [body?.reason, ...[body?.message].flat()].filter(Boolean).join('; ');
}
