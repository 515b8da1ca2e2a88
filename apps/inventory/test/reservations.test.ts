import { InventoryCommandTypes, InventoryEventTypes, Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, settled, startService, useTestEnvironment, waitFor } from '@fil/testing';
import { Logger, type INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Reservation } from '../src/reservations/reservation.entity';
import { ReservationsService } from '../src/reservations/reservations.service';
import { answersTo, answerTo, put, reserve, sendCommand, stockAt, store } from './support';

useTestEnvironment('inventory-reservations');
jest.setTimeout(60_000);

let app: INestApplication;
let url: string;
const probe = new KafkaProbe();

async function stocked(locationId: string, counts: Record<string, number>, safetyStock = 0) {
  expect((await put(url, `/locations/${locationId}`, store)).status).toBe(200);
  for (const [sku, onHand] of Object.entries(counts)) {
    expect((await put(url, `/locations/${locationId}/stock/${sku}`, { onHand, safetyStock })).status).toBe(200);
  }
}

beforeAll(async () => {
  // AppModule names its database from the environment as it loads: load it after useTestEnvironment.
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await probe.start([Topics.inventoryEvents, Topics.stockLevels]);
  await stocked('warm-up', { 'SKU-W': 1 });
  await reserve(probe, 'warm-up', 'warm-up', [{ sku: 'SKU-W', quantity: 1 }]);
  await answerTo(probe, 'warm-up');
});

afterAll(async () => {
  await probe.stop();
  await app?.close();
  await dropDatabase(databaseName('inventory'));
});

it('refuses a reservation whose second line is short and reserves nothing of the first', async () => {
  await stocked('aon', { 'SKU-A': 5, 'SKU-B': 1 });
  await reserve(probe, 'aon-1', 'aon', [
    { sku: 'SKU-A', quantity: 2 },
    { sku: 'SKU-B', quantity: 2 },
  ]);
  const answer = await answerTo(probe, 'aon-1');
  expect(answer.headers.ce_type).toBe(InventoryEventTypes.refused);
  expect(answer.key).toBe('order-aon-1');
  expect(answer.value).toMatchObject({ reason: 'INSUFFICIENT_STOCK', shortLines: [{ sku: 'SKU-B', requested: 2, atp: 1 }] });
  expect(await stockAt(url, 'aon', 'SKU-A')).toMatchObject({ onHand: 5, reserved: 0, atp: 5 });
  expect(await stockAt(url, 'aon', 'SKU-B')).toMatchObject({ onHand: 1, reserved: 0, atp: 1 });
});

it('answers a refused reservation asked again with the same answer, byte for byte, under the same id', async () => {
  await stocked('again-refused', { 'SKU-AG': 1 });
  await reserve(probe, 'again-refused-1', 'again-refused', [{ sku: 'SKU-AG', quantity: 2 }]);
  await answerTo(probe, 'again-refused-1', InventoryEventTypes.refused);
  // Sent again (a retry after a lost answer): answered from what was stored.
  await reserve(probe, 'again-refused-1', 'again-refused', [{ sku: 'SKU-AG', quantity: 2 }]);
  await waitFor(() => answersTo(probe, 'again-refused-1').length === 2, { what: 'the second answer' });
  const [first, second] = answersTo(probe, 'again-refused-1');
  expect(second.headers.ce_id).toBe(first.headers.ce_id);
  expect(JSON.stringify(second.value)).toBe(JSON.stringify(first.value));
});

it('refuses a reservation at an unknown location with UNKNOWN_LOCATION', async () => {
  await reserve(probe, 'nowhere-1', 'nowhere', [{ sku: 'SKU-A', quantity: 1 }]);
  const answer = await answerTo(probe, 'nowhere-1');
  expect(answer.headers.ce_type).toBe(InventoryEventTypes.refused);
  expect(answer.value).toMatchObject({ reason: 'UNKNOWN_LOCATION' });
});

it('reserves exactly the ATP under 60 concurrent commands and answers each command exactly once', async () => {
  await stocked('rush', { 'SKU-HOT': 22 }, 2);
  const ids = Array.from({ length: 60 }, (_, i) => `rush-${i}`);
  await Promise.all(ids.map((id) => reserve(probe, id, 'rush', [{ sku: 'SKU-HOT', quantity: 1 }])));

  await waitFor(() => ids.every((id) => answersTo(probe, id).length > 0), { what: 'an answer to every command' });
  await settled(app, 'inventory', [Topics.inventoryCommands], probe);
  const answers = ids.map((id) => answersTo(probe, id));
  expect(answers.every((list) => list.length === 1)).toBe(true);
  const types = answers.map(([answer]) => answer.headers.ce_type);
  expect(types.filter((type) => type === InventoryEventTypes.reserved)).toHaveLength(20);
  expect(types.filter((type) => type === InventoryEventTypes.refused)).toHaveLength(40);
  expect(await stockAt(url, 'rush', 'SKU-HOT')).toMatchObject({ onHand: 22, reserved: 20, safetyStock: 2, atp: 0 });
  const lastLevel = await waitFor(() => {
    const levels = probe.messages(Topics.stockLevels, (m) => m.key === 'rush:SKU-HOT');
    return levels.length && levels[levels.length - 1].value.reserved === 20 ? levels[levels.length - 1] : undefined;
  }, { what: 'the stock level after the rush' });
  expect(lastLevel.value).toEqual({ locationId: 'rush', sku: 'SKU-HOT', onHand: 22, reserved: 20, safetyStock: 2, atp: 0 });
});

it('never holds more than ATP when 50 transactions reserve the same two SKUs at the same instant', async () => {
  await stocked('race', { 'SKU-R1': 10, 'SKU-R2': 30 });
  const orm = app.get<MikroORM>(MikroORM);
  const reservations = app.get(ReservationsService);
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) =>
      orm.em.fork().transactional((em) =>
        reservations.reserve(
          {
            reservationId: `race-${i}`,
            orderId: `order-race-${i}`,
            locationId: 'race',
            // Lines out of SKU order on purpose: rows are still locked in one order, so no deadlock.
            lines: [
              { sku: 'SKU-R2', quantity: 1 },
              { sku: 'SKU-R1', quantity: 1 },
            ],
          },
          em,
        ),
      ),
    ),
  );
  expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
  expect(await stockAt(url, 'race', 'SKU-R1')).toMatchObject({ onHand: 10, reserved: 10, atp: 0 });
  expect(await stockAt(url, 'race', 'SKU-R2')).toMatchObject({ onHand: 30, reserved: 10, atp: 20 });
  expect(await orm.em.fork().count(Reservation, { locationId: 'race', status: 'HELD' })).toBe(10);
  expect(await orm.em.fork().count(Reservation, { locationId: 'race', status: 'REFUSED' })).toBe(40);
});

it('answers a repeated ReserveStock with its first outcome without reserving twice', async () => {
  await stocked('again', { 'SKU-R': 3 });
  await reserve(probe, 'again-1', 'again', [{ sku: 'SKU-R', quantity: 2 }]);
  await answerTo(probe, 'again-1', InventoryEventTypes.reserved);
  await reserve(probe, 'again-1', 'again', [{ sku: 'SKU-R', quantity: 2 }]);
  await waitFor(() => answersTo(probe, 'again-1').length === 2, { what: 'the second answer' });
  const [first, second] = answersTo(probe, 'again-1');
  expect(second.headers.ce_type).toBe(InventoryEventTypes.reserved);
  expect(second.headers.ce_id).toBe(first.headers.ce_id);
  expect(await stockAt(url, 'again', 'SKU-R')).toMatchObject({ onHand: 3, reserved: 2, atp: 1 });
});

it('gives held units back on release, once, and publishes the new level', async () => {
  await stocked('rel', { 'SKU-X': 4 });
  await reserve(probe, 'rel-1', 'rel', [{ sku: 'SKU-X', quantity: 3 }]);
  await answerTo(probe, 'rel-1', InventoryEventTypes.reserved);
  expect(await stockAt(url, 'rel', 'SKU-X')).toMatchObject({ reserved: 3, atp: 1 });

  await sendCommand(probe, InventoryCommandTypes.release, { reservationId: 'rel-1', orderId: 'order-rel-1' } as never);
  await sendCommand(probe, InventoryCommandTypes.release, { reservationId: 'rel-1', orderId: 'order-rel-1' } as never);
  await sendCommand(probe, InventoryCommandTypes.commit, { reservationId: 'rel-1', orderId: 'order-rel-1' } as never);
  await waitFor(() => answersTo(probe, 'rel-1').length === 4, { what: 'three more answers' });
  expect(answersTo(probe, 'rel-1').map((m) => m.headers.ce_type)).toEqual([
    InventoryEventTypes.reserved,
    InventoryEventTypes.released,
    InventoryEventTypes.released,
    InventoryEventTypes.released,
  ]);
  expect(await stockAt(url, 'rel', 'SKU-X')).toMatchObject({ onHand: 4, reserved: 0, atp: 4 });
  await probe.waitForMessage(Topics.stockLevels, (m) => m.key === 'rel:SKU-X' && m.value.reserved === 0 && m.value.onHand === 4);
});

it('consumes onHand and reserved on commit, once, and a later release changes nothing', async () => {
  await stocked('com', { 'SKU-Y': 6, 'SKU-Z': 2 });
  await reserve(probe, 'com-1', 'com', [
    { sku: 'SKU-Y', quantity: 4 },
    { sku: 'SKU-Z', quantity: 2 },
  ]);
  await answerTo(probe, 'com-1', InventoryEventTypes.reserved);

  await sendCommand(probe, InventoryCommandTypes.commit, { reservationId: 'com-1', orderId: 'order-com-1' } as never);
  await sendCommand(probe, InventoryCommandTypes.commit, { reservationId: 'com-1', orderId: 'order-com-1' } as never);
  await sendCommand(probe, InventoryCommandTypes.release, { reservationId: 'com-1', orderId: 'order-com-1' } as never);
  await waitFor(() => answersTo(probe, 'com-1').length === 4, { what: 'three more answers' });
  expect(answersTo(probe, 'com-1').slice(1).every((m) => m.headers.ce_type === InventoryEventTypes.committed)).toBe(true);
  expect(await stockAt(url, 'com', 'SKU-Y')).toMatchObject({ onHand: 2, reserved: 0, atp: 2 });
  expect(await stockAt(url, 'com', 'SKU-Z')).toMatchObject({ onHand: 0, reserved: 0, atp: 0 });
  await probe.waitForMessage(Topics.stockLevels, (m) => m.key === 'com:SKU-Z' && m.value.onHand === 0 && m.value.reserved === 0);
});

it('says so when the units that left are more than a count since their reservation had found, instead of flooring the on-hand silently', async () => {
  await stocked('uncounted', { 'SKU-U': 2 });
  await reserve(probe, 'uncounted-1', 'uncounted', [{ sku: 'SKU-U', quantity: 2 }]);
  await answerTo(probe, 'uncounted-1', InventoryEventTypes.reserved);
  // A count finds 1 while both units are set aside for the customer, who then takes both.
  await probe.send(Topics.inventoryAdjustments, 'uncounted:SKU-U', { adjustmentId: 'count-uncounted', locationId: 'uncounted', sku: 'SKU-U', mode: 'SET', quantity: 1, reason: 'COUNT' });
  await waitFor(async () => (await stockAt(url, 'uncounted', 'SKU-U'))?.onHand === 1, { what: 'the count applied' });
  const warned: string[] = [];
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message) => void warned.push(String(message)));
  try {
    await sendCommand(probe, InventoryCommandTypes.commit, { reservationId: 'uncounted-1', orderId: 'order-uncounted-1' } as never);
    await answerTo(probe, 'uncounted-1', InventoryEventTypes.committed);
  } finally {
    warn.mockRestore();
  }
  expect(await stockAt(url, 'uncounted', 'SKU-U')).toMatchObject({ onHand: 0, reserved: 0 });
  expect(warned.filter((message) => message.includes('uncounted:SKU-U'))).toEqual([expect.stringMatching(/2 units of reservation uncounted-1 left uncounted:SKU-U, 1 more than its on-hand/)]);
});

it('takes short-picked units out of the reservation and the on-hand once, and commits the rest', async () => {
  await stocked('short', { 'SKU-P': 5, 'SKU-Q': 3 });
  await reserve(probe, 'short-1', 'short', [
    { sku: 'SKU-P', quantity: 3 },
    { sku: 'SKU-Q', quantity: 1 },
  ]);
  await answerTo(probe, 'short-1', InventoryEventTypes.reserved);
  const report = {
    reservationId: 'short-1',
    orderId: 'order-short-1',
    fulfillmentId: 'F-short-1',
    locationId: 'short',
    lines: [
      { sku: 'SKU-P', missing: 2, reason: 'NOT_FOUND' },
      { sku: 'SKU-Q', missing: 1, reason: 'DAMAGED' },
    ],
  };
  // Twice under new message ids: the adjustment ids make the second a no-op.
  await sendCommand(probe, InventoryCommandTypes.shortPick, report as never);
  await sendCommand(probe, InventoryCommandTypes.shortPick, report as never);
  await sendCommand(probe, InventoryCommandTypes.commit, { reservationId: 'short-1', orderId: 'order-short-1' } as never);
  const committed = await answerTo(probe, 'short-1', InventoryEventTypes.committed);
  expect(committed.value.lines).toEqual([{ sku: 'SKU-P', quantity: 1 }]);
  // 5 - 2 missing - 1 shipped; 3 - 1 damaged, nothing shipped.
  expect(await stockAt(url, 'short', 'SKU-P')).toMatchObject({ onHand: 2, reserved: 0, atp: 2 });
  expect(await stockAt(url, 'short', 'SKU-Q')).toMatchObject({ onHand: 2, reserved: 0, atp: 2 });
  const adjustments = await app
    .get(MikroORM)
    .em.getConnection()
    .execute(`select adjustment_id, quantity, reason from adjustment where adjustment_id like 'F-short-1:%' order by adjustment_id`);
  expect(adjustments).toEqual([
    { adjustment_id: 'F-short-1:SKU-P:short', quantity: -2, reason: 'SHORT_PICK:NOT_FOUND (F-short-1)' },
    { adjustment_id: 'F-short-1:SKU-Q:short', quantity: -1, reason: 'SHORT_PICK:DAMAGED (F-short-1)' },
  ]);
});

it('names the reservations a short pick leaves uncovered when its own reservation no longer held the units', async () => {
  await stocked('late-short', { 'SKU-L': 4 });
  await reserve(probe, 'late-1', 'late-short', [{ sku: 'SKU-L', quantity: 2 }]);
  await answerTo(probe, 'late-1', InventoryEventTypes.reserved);
  await sendCommand(probe, InventoryCommandTypes.release, { reservationId: 'late-1', orderId: 'order-late-1' } as never);
  await answerTo(probe, 'late-1', InventoryEventTypes.released);
  await reserve(probe, 'late-2', 'late-short', [{ sku: 'SKU-L', quantity: 4 }]);
  await answerTo(probe, 'late-2', InventoryEventTypes.reserved);
  // The picker of the released part still reports the 2 units missing from the shelf.
  const report = { reservationId: 'late-1', orderId: 'order-late-1', fulfillmentId: 'F-late-1', locationId: 'late-short', lines: [{ sku: 'SKU-L', missing: 2, reason: 'NOT_FOUND' }] };
  await sendCommand(probe, InventoryCommandTypes.shortPick, report as never);

  const shortage = await probe.waitForMessage(Topics.inventoryEvents, (m) => m.headers.ce_type === InventoryEventTypes.shortage && m.key === 'late-short:SKU-L');
  expect(shortage.value).toEqual({
    locationId: 'late-short',
    sku: 'SKU-L',
    onHand: 2,
    reserved: 4,
    shortBy: 2,
    adjustmentId: 'F-late-1:SKU-L:short',
    reservations: [{ reservationId: 'late-2', orderId: 'order-late-2', quantity: 4 }],
  });
});

it("answers CheckAvailability with every location's ATP of the SKUs asked, including a reservation just made before it", async () => {
  await stocked('check-a', { 'SKU-CHECK': 4, 'SKU-OTHER': 9 }, 1);
  await stocked('check-b', { 'SKU-CHECK': 0 });
  await reserve(probe, 'check-1', 'check-a', [{ sku: 'SKU-CHECK', quantity: 2 }]);
  // Same key (orderId) as the reservation: inventory reads after it.
  await sendCommand(probe, InventoryCommandTypes.checkAvailability, { requestId: 'order-check-1:A1', orderId: 'order-check-1', skus: ['SKU-CHECK', 'SKU-NONE'] } as never);
  const report = await probe.waitForMessage(Topics.inventoryEvents, (m) => m.headers.ce_type === InventoryEventTypes.availability && m.key === 'order-check-1');
  expect(report.value).toEqual({ requestId: 'order-check-1:A1', orderId: 'order-check-1', levels: [{ locationId: 'check-a', sku: 'SKU-CHECK', atp: 1 }] });
});
