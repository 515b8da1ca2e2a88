import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { serviceSource, Topics } from '@fil/contracts';
import { canonicalJson } from '@fil/messaging';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, useTestEnvironment } from '@fil/testing';
import { anOrder, call, commandsOf, location, networkKnown, orchestratorSettled, orderEvent, orderEvents, stockLevel, submit } from './support';

useTestEnvironment('orders-intake');
jest.setTimeout(60_000);

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;

const dlqOf = (key: string) => probe.waitForMessage(Topics.dlq, (m) => m.value.originalTopic === Topics.ordersSubmitted && m.key === key);
const received = (orderId: string) => orderEvent(probe, orderId, 'OrderReceived');

beforeAll(async () => {
  await probe.start([Topics.ordersEvents, Topics.inventoryCommands, Topics.dlq]);
  // Loaded after useTestEnvironment so the service takes the test's database and topics.
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await location(probe, 'WH-LYON', 45.76, 4.84);
  await stockLevel(probe, 'WH-LYON', 'SKU-A', 10);
  await stockLevel(probe, 'WH-LYON', 'SKU-B', 5);
  await networkKnown(app, 1, 2);
});

afterAll(async () => {
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('orders'));
});

describe('order intake: garbage never stops the consumer and is never dropped silently', () => {
  it('sends a value that is not JSON to the DLQ with the reason, and answers OrderRejected when its text names the orderId', async () => {
    await submit(probe, '{"orderId": "O-broken", ', 'K-not-json');
    await submit(probe, '{"channel": "web", "lines": [', 'K-not-json-no-id');
    const dead = await dlqOf('K-not-json');
    expect(dead.value).toMatchObject({ value: '{"orderId": "O-broken", ', consumer: 'orders' });
    expect(dead.value.reason).toMatch(/^value is not valid JSON/);
    const rejected = await orderEvent(probe, 'O-broken', 'OrderRejected');
    expect(rejected.value).toMatchObject({ orderId: 'O-broken', status: 'REJECTED', reason: 'VALIDATION_FAILED', errors: [dead.value.reason] });
    expect((await dlqOf('K-not-json-no-id')).value.reason).toMatch(/^value is not valid JSON/);
  });

  it('sends JSON without a readable orderId to the DLQ, since no one could be told it was rejected', async () => {
    await submit(probe, { channel: 'web', lines: [] }, 'K-no-id');
    await submit(probe, { orderId: 42 }, 'K-numeric-id');
    await submit(probe, [1, 2, 3], 'K-array');
    for (const key of ['K-no-id', 'K-numeric-id', 'K-array']) {
      expect((await dlqOf(key)).value.reason).toBe('orderId: must be a non-empty string, the order cannot be identified');
    }
  });

  it("sends an order stamped with a Fil service's source to the DLQ, so no channel can take that service's message ids", async () => {
    await submit(probe, anOrder('O-posing'), 'O-posing', { ce_source: serviceSource('inventory') });
    expect((await dlqOf('O-posing')).value.reason).toBe(`${Topics.ordersSubmitted} does not accept messages from source /fil/inventory`);
    expect((await call(url, 'GET', '/orders/O-posing')).status).toBe(404);
  });

  it('rejects an order with missing fields, publishing OrderRejected with errors that name each field, and keeps what it could read', async () => {
    await submit(probe, { orderId: 'O-missing', channel: 'web' });
    const rejected = await orderEvent(probe, 'O-missing', 'OrderRejected');
    expect(rejected.headers.ce_id).toBe('O-missing:1');
    expect(rejected.value).toMatchObject({ orderId: 'O-missing', status: 'REJECTED', reason: 'VALIDATION_FAILED', channel: 'web', lines: [] });
    const errors: string[] = rejected.value.errors;
    for (const field of ['deliveryMode', 'customer', 'lines', 'currency', 'placedAt']) {
      expect(errors.some((error) => error.startsWith(`${field}:`))).toBe(true);
    }
    const { status, body } = await call(url, 'GET', '/orders/O-missing');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'REJECTED', channel: 'web', lines: [], errors });
    expect(body.timeline).toEqual([{ from: null, to: 'REJECTED', cause: 'VALIDATION_FAILED', at: expect.any(String) }]);
  });

  it('rejects a negative quantity, an unknown delivery mode and a home delivery without address, naming the field', async () => {
    const lines = [{ lineId: '1', sku: 'SKU-A', quantity: -2, unitPrice: 10 }];
    await submit(probe, anOrder('O-negative', { lines }));
    await submit(probe, anOrder('O-teleport', { deliveryMode: 'TELEPORT' }));
    await submit(probe, anOrder('O-no-address', { shippingAddress: undefined }));
    const negative = await orderEvent(probe, 'O-negative', 'OrderRejected');
    expect(negative.value.errors).toEqual(['lines.0.quantity: quantity must not be less than 1']);
    expect(negative.value.lines).toEqual(lines);
    const teleport = await orderEvent(probe, 'O-teleport', 'OrderRejected');
    expect(teleport.value.errors).toContainEqual(expect.stringMatching(/^deliveryMode: deliveryMode must be one of the following values: HOME_DELIVERY/));
    // Not a home delivery, so it would need a pickup location.
    expect(teleport.value.errors).toContain('pickupLocationId: pickupLocationId should not be empty');
    const noAddress = await orderEvent(probe, 'O-no-address', 'OrderRejected');
    expect(noAddress.value.errors).toEqual(['shippingAddress: shippingAddress should not be null or undefined']);
    await orchestratorSettled(app, probe);
    expect(commandsOf(probe, Topics.inventoryCommands, 'O-negative', 'ReserveStock')).toEqual([]);
  });

  it('rejects an order over the size limit with OrderRejected giving the limit, and dead-letters an excerpt of it', async () => {
    await submit(probe, anOrder('O-huge', { note: 'x'.repeat(600_000) }));
    const rejected = await orderEvent(probe, 'O-huge', 'OrderRejected');
    expect(rejected.value).toMatchObject({ orderId: 'O-huge', status: 'REJECTED', reason: 'VALIDATION_FAILED', channel: 'web' });
    expect(rejected.value.errors).toEqual([expect.stringMatching(/^message of \d+ bytes is over the limit of 524288 bytes$/)]);
    const dead = await dlqOf('O-huge');
    expect(dead.value).toMatchObject({ reason: rejected.value.errors[0], valueBytes: expect.any(Number), truncated: true });
    expect(dead.value.value).toHaveLength(4096);
  });

  it('takes a customer known only by name and email, and an address whose country is written out, as PRODUCT.md sets no shape for either', async () => {
    const customer = { name: 'Ana Lima', email: 'ana@example.com' };
    await submit(probe, anOrder('O-guest', { customer, shippingAddress: { lat: 45.76, lng: 4.84, city: 'Lyon', country: 'France' } }));
    await received('O-guest');
    const { body } = await call(url, 'GET', '/orders/O-guest');
    expect(body).toMatchObject({ customer, shippingAddress: { country: 'France' } });
    expect(probe.messages(Topics.ordersEvents, (m) => m.key === 'O-guest' && m.headers.ce_type === 'OrderRejected')).toEqual([]);
  });

  it('takes what common serializers write: null for the other modes\' field, a price with binary noise (rounded to 4 decimals), a currency in lower case', async () => {
    const noisy = [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 19.99 * 1.2 }, { lineId: '2', sku: 'SKU-B', quantity: 1, unitPrice: 0.1 + 0.2 }];
    await submit(probe, anOrder('O-serialized', { pickupLocationId: null, lines: noisy, currency: 'eur' }));
    const event = await received('O-serialized');
    expect(event.value).toMatchObject({ currency: 'EUR', lines: [{ unitPrice: 23.988 }, { unitPrice: 0.3 }] });
    await submit(probe, anOrder('O-serialized-collect', { deliveryMode: 'CLICK_AND_COLLECT', shippingAddress: null, pickupLocationId: 'WH-LYON' }));
    expect((await received('O-serialized-collect')).value.shippingAddress).toBeUndefined();
    // A fifth decimal is a price, not noise: refused, saying why.
    await submit(probe, anOrder('O-fifth-decimal', { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 1, unitPrice: 1.00001 }] }));
    const rejected = await orderEvent(probe, 'O-fifth-decimal', 'OrderRejected');
    expect(rejected.value.errors).toEqual(['lines.0.unitPrice: unitPrice must be a number with at most 4 decimal places']);
  });

  it('rejects an order nested too deep to read field by field with OrderRejected, once, rather than only dead-lettering it', async () => {
    const deep = (levels: number): string => (levels ? `{"a":${deep(levels - 1)}}` : '1');
    const value = `{"orderId":"O-deep","customer":${deep(5_000)}}`;
    await submit(probe, value, 'O-deep');
    const rejected = await orderEvent(probe, 'O-deep', 'OrderRejected');
    expect(rejected.value).toMatchObject({ status: 'REJECTED', reason: 'VALIDATION_FAILED', errors: ['value: must not be nested deeper than 32 levels'] });
    await submit(probe, value, 'O-deep');
    await submit(probe, anOrder('O-deep-marker'), 'O-deep');
    await received('O-deep-marker');
    expect(probe.messages(Topics.ordersEvents, (m) => m.key === 'O-deep')).toHaveLength(1);
  });

  it('still takes valid orders after all that garbage', async () => {
    await submit(probe, anOrder('O-valid'));
    await received('O-valid');
    const reserve = await probe.waitForMessage(Topics.inventoryCommands, (m) => m.key === 'O-valid');
    expect(reserve.headers.ce_type).toBe('ReserveStock');
    expect((await call(url, 'GET', '/orders/O-valid')).body.status).toBe('RECEIVED');
  });
});

describe('order intake: the orderId is the idempotency key', () => {
  it('takes the same order sent twice (under new message ids, keys in another order) once', async () => {
    const order = anOrder('O-twice');
    await submit(probe, order);
    await submit(probe, Object.fromEntries(Object.entries(order).reverse()));
    // Same key, same partition: once the marker is received, both copies have been handled.
    await submit(probe, anOrder('O-twice-marker'), 'O-twice');
    await received('O-twice-marker');
    expect(orderEvents(probe, 'O-twice').map((m) => m.headers.ce_type)).toEqual(['OrderReceived']);
    expect(commandsOf(probe, Topics.inventoryCommands, 'O-twice', 'ReserveStock')).toHaveLength(1);
  });

  it('takes an order sent again with fields its contract does not name (ignored) as the same order, and one stored before this rule too', async () => {
    const order = anOrder('O-extra');
    await submit(probe, order);
    await received('O-extra');
    const lines = (order.lines as object[]).map((line) => ({ ...line, giftWrap: true }));
    await submit(probe, { ...order, trackingCode: 'abc', lines });
    // An order stored with the hash of its whole message, as before the rule: the same message is still the same order.
    await submit(probe, anOrder('O-extra-before'));
    await received('O-extra-before');
    const legacy = createHash('sha256').update(canonicalJson({ ...anOrder('O-extra-before'), trackingCode: 'abc' })).digest('hex');
    await (app.get(MikroORM).em.fork() as EntityManager).execute('update customer_order set content_hash = ? where order_id = ?', [legacy, 'O-extra-before']);
    await submit(probe, { ...anOrder('O-extra-before'), trackingCode: 'abc' }, 'O-extra');
    await submit(probe, anOrder('O-extra-marker'), 'O-extra');
    await received('O-extra-marker');
    expect(probe.messages(Topics.dlq, (m) => m.key === 'O-extra' || m.key === 'O-extra-before')).toEqual([]);
    expect(orderEvents(probe, 'O-extra').map((m) => m.headers.ce_type)).toEqual(['OrderReceived']);
  });

  it('sends the same orderId with different content to the DLQ as a conflict, leaving the order untouched', async () => {
    await submit(probe, anOrder('O-conflict'));
    await received('O-conflict');
    await submit(probe, anOrder('O-conflict', { lines: [{ lineId: '1', sku: 'SKU-A', quantity: 9, unitPrice: 1 }] }));
    const dead = await dlqOf('O-conflict');
    expect(dead.value.reason).toBe('order O-conflict already exists with different content');
    const { body } = await call(url, 'GET', '/orders/O-conflict');
    expect(body.lines).toEqual(anOrder('O-conflict').lines);
    expect(body.timeline.map((step: { to: string }) => step.to)).toEqual(['RECEIVED']);
    expect(orderEvents(probe, 'O-conflict')).toHaveLength(1);
  });
});
