import type { INestApplication } from '@nestjs/common';
import { InventoryCommandTypes, InventoryEventTypes, Topics, type ReservationOutcome } from '@fil/contracts';
import { physicalTopic } from '@fil/messaging';
import { databaseName, dropDatabase } from '@fil/persistence';
import { ceHeaders, KafkaProbe, settled, startService, useTestEnvironment, waitFor } from '@fil/testing';
import { put, stockAt, store } from './support';

useTestEnvironment('inventory-oversell');
jest.setTimeout(120_000);

const instances: { app: INestApplication; url: string }[] = [];
const probe = new KafkaProbe();
let url: string;

const reserveCommand = (reservationId: string, locationId: string, sku: string, quantity: number) => {
  const orderId = `order-${reservationId}`;
  return {
    key: orderId,
    value: JSON.stringify({ reservationId, orderId, locationId, lines: [{ sku, quantity }] }),
    headers: ceHeaders('orders', InventoryCommandTypes.reserve),
  };
};

const answers = (prefix: string) =>
  probe.messages(Topics.inventoryEvents, (m) => (m.value as ReservationOutcome).reservationId?.startsWith(prefix));

/** Sends all messages at once, in concurrent chunks, as a crowd of orchestrator instances would. */
async function fire(topic: string, messages: { key: string; value: string; headers: Record<string, string> }[]) {
  const chunks = Array.from({ length: Math.ceil(messages.length / 50) }, (_, i) => messages.slice(i * 50, i * 50 + 50));
  await Promise.all(chunks.map((chunk) => probe.sendMany(topic, chunk)));
}

beforeAll(async () => {
  const { AppModule, definition } = await import('../src/app.module');
  // Two inventory instances in one consumer group, sharing one database: the partitions are split between them.
  instances.push(await startService(AppModule, definition));
  instances.push(await startService(AppModule, definition));
  url = instances[0].url;
  await probe.start([Topics.inventoryEvents]);
  const admin = probe.kafka.admin();
  await admin.connect();
  await waitFor(
    async () => {
      const [group] = (await admin.describeGroups([physicalTopic('fil.inventory')])).groups;
      return group.state === 'Stable' && group.members.length === 2 && group.members.every((member) => member.memberAssignment.length > 0);
    },
    { timeoutMs: 60_000, what: 'both instances to own partitions' },
  );
  await admin.disconnect();
});

afterAll(async () => {
  await probe.stop();
  for (const { app } of instances) await app.close();
  await dropDatabase(databaseName('inventory'));
});

it('grants exactly the 100 units spread over 5 locations to 500 concurrent requests across two instances, answering each once', async () => {
  const stock = { 'os-1': 30, 'os-2': 25, 'os-3': 20, 'os-4': 15, 'os-5': 10 };
  for (const [locationId, onHand] of Object.entries(stock)) {
    expect((await put(url, `/locations/${locationId}`, store)).status).toBe(200);
    expect((await put(url, `/locations/${locationId}/stock/SKU-HOT`, { onHand, safetyStock: 0 })).status).toBe(200);
  }
  // Every location is asked for about twice its stock, and at least as many 1-unit requests as
  // its stock, so every location must end exactly sold out whatever the interleaving.
  const locations = Object.keys(stock);
  const requests = Array.from({ length: 500 }, (_, i) =>
    reserveCommand(`os-${i}`, locations[i % 5], 'SKU-HOT', [1, 2, 1, 3][Math.floor(i / 5) % 4]),
  );
  await fire(Topics.inventoryCommands, requests);

  await waitFor(() => new Set(answers('os-').map((m) => m.value.reservationId)).size === 500, {
    timeoutMs: 90_000,
    what: 'an answer to every request',
  });
  await settled(instances[0].app, 'inventory', [Topics.inventoryCommands], probe);
  const all = answers('os-');
  expect(all).toHaveLength(500);

  const granted = all.filter((m) => m.headers.ce_type === InventoryEventTypes.reserved);
  const refused = all.filter((m) => m.headers.ce_type === InventoryEventTypes.refused);
  expect(granted.length + refused.length).toBe(500);
  const units = (messages: typeof all) => messages.reduce((sum, m) => sum + m.value.lines[0].quantity, 0);
  expect(units(granted)).toBe(100);

  for (const [locationId, onHand] of Object.entries(stock)) {
    const level = await stockAt(url, locationId, 'SKU-HOT');
    const grantedHere = units(granted.filter((m) => m.value.locationId === locationId));
    expect(level).toMatchObject({ onHand, reserved: onHand, atp: 0 });
    expect(grantedHere).toBe(onHand);
  }
});

it('keeps every figure consistent when POS adjustments race with reservations on the same stock', async () => {
  expect((await put(url, '/locations/race-1', store)).status).toBe(200);
  expect((await put(url, '/locations/race-1/stock/SKU-RACE', { onHand: 50, safetyStock: 0 })).status).toBe(200);
  const reservations = Array.from({ length: 200 }, (_, i) => reserveCommand(`race-${i}`, 'race-1', 'SKU-RACE', 1));
  // +60 and -40 units: whatever the interleaving, on-hand ends at 50 + 20 and never below 10.
  const adjustments = Array.from({ length: 100 }, (_, i) => ({
    key: 'race-1:SKU-RACE',
    value: JSON.stringify({
      adjustmentId: `race-adj-${i}`,
      locationId: 'race-1',
      sku: 'SKU-RACE',
      mode: 'DELTA',
      quantity: i % 5 < 3 ? 1 : -1,
      reason: i % 5 < 3 ? 'RECEIVED' : 'SOLD_AT_TILL',
    }),
    headers: { ce_id: `race-adj-${i}`, ce_type: 'StockAdjustment', ce_specversion: '1.0', ce_source: '/pos' },
  }));
  await Promise.all([fire(Topics.inventoryCommands, reservations), fire(Topics.inventoryAdjustments, adjustments)]);

  await waitFor(() => new Set(answers('race-').map((m) => m.value.reservationId)).size === 200, {
    timeoutMs: 60_000,
    what: 'an answer to every reservation',
  });
  await settled(instances[0].app, 'inventory', [Topics.inventoryCommands, Topics.inventoryAdjustments], probe);
  expect((await stockAt(url, 'race-1', 'SKU-RACE'))?.onHand).toBe(70);
  const grantedUnits = answers('race-').filter((m) => m.headers.ce_type === InventoryEventTypes.reserved).length;
  expect(answers('race-')).toHaveLength(200);

  const level = await stockAt(url, 'race-1', 'SKU-RACE');
  expect(level!.reserved).toBe(grantedUnits);
  expect(level!.reserved).toBeLessThanOrEqual(70);
  expect(level!.atp).toBe(Math.max(0, 70 - grantedUnits));
});
