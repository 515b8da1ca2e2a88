import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, testToken, useTestEnvironment } from '@fil/testing';
import { anOrder, call, command, location, networkKnown, stockLevel, submit } from './support';

useTestEnvironment('orders-policies');
process.env.FIL_ROUTING_POLICIES = JSON.stringify({ marketplace: { shortage: 'REJECT' } });
const TTL_MS = 300;
process.env.FIL_ROUTING_POLICY_TTL_MS = String(TTL_MS);
jest.setTimeout(60_000);

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;

/** Submits a one-unit order to Lyon and answers where the orchestrator reserved it and the explanation it recorded. */
async function routed(orderId: string): Promise<{ locationId: string; explanation: any }> {
  await submit(probe, anOrder(orderId, { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 10 }] }));
  const reserve = await command(probe, Topics.inventoryCommands, orderId, 'ReserveStock');
  const { body } = await call(url, 'GET', `/orders/${orderId}`);
  return { locationId: reserve.value.locationId, explanation: body.routing[0].explanation };
}

beforeAll(async () => {
  await probe.start([Topics.inventoryCommands]);
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  // Both next to the customer: the warehouse wins on the default base costs (4 against 6).
  await location(probe, 'WH-LYON', 45.76, 4.84);
  await location(probe, 'ST-LYON', 45.76, 4.83, { type: 'STORE', pickup: true, reserve: true });
  await stockLevel(probe, 'WH-LYON', 'SKU-A', 10);
  await stockLevel(probe, 'ST-LYON', 'SKU-A', 10);
  await networkKnown(app, 2, 2);
});

afterAll(async () => {
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('orders'));
});

describe('routing policies changed at runtime', () => {
  it('starts on version 1, seeded from FIL_ROUTING_POLICIES, and records it in the decision', async () => {
    const { status, body } = await call(url, 'GET', '/routing/policies');
    expect(status).toBe(200);
    expect(body.current).toMatchObject({ version: 1, createdBy: 'FIL_ROUTING_POLICIES', document: { channels: [{ channel: 'marketplace', shortage: 'REJECT' }] } });
    const first = await routed('O-policy-1');
    expect(first.locationId).toBe('WH-LYON');
    expect(first.explanation).toMatchObject({ policyVersion: 'policy-v1', channelPolicy: { weights: { baseCost: { WAREHOUSE: 4 } } } });
  });

  it('uses a policy written over HTTP for the next order, and shows its version in the explanation', async () => {
    const document = { channels: [{ channel: 'web', weights: { baseCost: { WAREHOUSE: 10 } } }] };
    const written = await call(url, 'PUT', '/routing/policies', document, testToken('ops'));
    expect(written.status).toBe(201);
    expect(written.body).toMatchObject({ version: 2, document });
    const next = await routed('O-policy-2');
    expect(next.locationId).toBe('ST-LYON');
    expect(next.explanation).toMatchObject({ policyVersion: 'policy-v2', channelPolicy: { weights: { baseCost: { WAREHOUSE: 10, STORE: 6 } } } });
  });

  it('refuses an invalid policy with the reasons, and keeps routing on the current one', async () => {
    const refused = await call(url, 'PUT', '/routing/policies', { defaults: { maxShipments: 0 }, channels: [{ channel: 'web', shortage: 'MAYBE' }] });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual(
      expect.arrayContaining(['defaults.maxShipments must not be less than 1', 'channels.0.shortage must be one of BACKORDER, REJECT']),
    );
    const { body } = await call(url, 'GET', '/routing/policies');
    expect(body.current.version).toBe(2);
    expect(body.history.map((version: { version: number }) => version.version)).toEqual([2, 1]);
    expect((await routed('O-policy-3')).explanation.policyVersion).toBe('policy-v2');
  });

  it("routes on a version another instance wrote once this instance's cached one is older than the TTL", async () => {
    const document = { defaults: { excludedLocations: ['ST-LYON'] } };
    await app.get(MikroORM).em.getConnection().execute("insert into routing_policy_version (version, document, created_by, created_at) values (3, ?, 'another-instance', now())", [JSON.stringify(document)]);
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 50));
    const next = await routed('O-policy-4');
    expect(next.locationId).toBe('WH-LYON');
    expect(next.explanation).toMatchObject({ policyVersion: 'policy-v3', channelPolicy: { excludedLocations: ['ST-LYON'] } });
  });
});
