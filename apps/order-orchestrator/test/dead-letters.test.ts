import type { INestApplication } from '@nestjs/common';
import { Topics } from '@fil/contracts';
import { createKafka, DeadLetterQueue, type DeadLetter } from '@fil/messaging';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, testToken, useTestEnvironment, waitFor } from '@fil/testing';
import { anOrder, call, orchestratorSettled, orderEvents } from './support';

useTestEnvironment('orders-dead-letters');
jest.setTimeout(90_000);

const probe = new KafkaProbe();
let app: INestApplication;
let url: string;
const ops = testToken('ops');

/** Returns once the probe has read everything sent to `topic` with `key` before `marker` (same key, same partition). */
async function afterMarker(topic: string, key: string, marker: string): Promise<void> {
  await probe.send(topic, key, marker);
  await probe.waitForMessage(topic, (m) => m.key === key && m.raw === marker);
}

const copiesOf = (id: string) => probe.messages(Topics.ordersSubmitted, (m) => m.headers.fil_redrive === id);

beforeAll(async () => {
  await probe.start([Topics.dlq, Topics.ordersSubmitted, Topics.ordersEvents]);
  const { AppModule, definition } = await import('../src/app.module');
  ({ app, url } = await startService(AppModule, definition));
});

afterAll(async () => {
  await app?.close();
  await probe.stop();
  await dropDatabase(databaseName('orders'));
});

describe('dead letters over HTTP', () => {
  it('lists a message the orchestrator could not read, with its topic, service, reason and time', async () => {
    await probe.send(Topics.ordersSubmitted, 'UNREADABLE-1', '{"orderId": "UNREADABLE-1",');
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'UNREADABLE-1');
    const { status, body } = await call(url, 'GET', '/dead-letters', undefined, ops);
    expect(status).toBe(200);
    expect(body[0]).toEqual({
      id: `${dead.partition}:${dead.offset}`,
      originalTopic: Topics.ordersSubmitted,
      partition: expect.any(Number),
      offset: expect.any(String),
      key: 'UNREADABLE-1',
      consumer: 'orders',
      reason: expect.stringMatching(/^value is not valid JSON: /),
      rejectedAt: expect.any(String),
      headers: {},
      value: '{"orderId": "UNREADABLE-1",',
      valueBytes: 27,
      valueSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      truncated: false,
      redrivenAt: null,
      redrivenBy: null,
    });
    expect(Date.parse(body[0].rejectedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await call(url, 'GET', '/dead-letters?limit=0', undefined, ops)).status).toBe(400);
    expect((await call(url, 'GET', '/dead-letters', undefined, testToken('staff', ['WH-1']))).status).toBe(403);
    expect((await call(url, 'POST', '/dead-letters/0:0/redrive', undefined, testToken('channel', ['web']))).status).toBe(403);
  });

  it('re-sends a dead letter to its topic once: the service refuses the unreadable copy again, a second request is 409; newest first', async () => {
    await probe.send(Topics.ordersSubmitted, 'UNREADABLE-2', 'not json at all');
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'UNREADABLE-2');
    const id = `${dead.partition}:${dead.offset}`;

    const first = await call(url, 'POST', `/dead-letters/${id}/redrive`, undefined, ops);
    expect(first).toEqual({ status: 200, body: { id, redrivenTo: Topics.ordersSubmitted, consumer: 'orders', redrivenAt: expect.any(String), redrivenBy: 'test-ops' } });
    // Still unreadable: dead-lettered again, the copy carrying the id it was re-sent from.
    const again = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'UNREADABLE-2' && m.value.headers.fil_redrive === id);
    expect(again.value.reason).toMatch(/^value is not valid JSON: /);

    const second = await call(url, 'POST', `/dead-letters/${id}/redrive`, undefined, testToken('admin'));
    expect(second.status).toBe(409);
    expect(second.body.message).toBe(
      `dead letter ${id} was already re-sent to ${Topics.ordersSubmitted} at ${first.body.redrivenAt} by test-ops; if orders refused it again, re-send its new dead letter`,
    );
    await afterMarker(Topics.ordersSubmitted, 'UNREADABLE-2', 'marker');
    expect(copiesOf(id)).toHaveLength(1);
    // The marker is unreadable too: its own dead letter must be in before the list is compared with its first page.
    await probe.waitForMessage(Topics.dlq, (m) => m.key === 'UNREADABLE-2' && m.value.value === 'marker');

    const listed = (await call(url, 'GET', '/dead-letters', undefined, ops)).body;
    const times = listed.map((letter: { rejectedAt: string }) => letter.rejectedAt);
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(times).toEqual([...times].sort().reverse());
    expect((await call(url, 'GET', '/dead-letters?limit=1', undefined, ops)).body).toEqual([listed[0]]);
    expect(listed.find((letter: { id: string }) => letter.id === id)).toMatchObject({ redrivenAt: first.body.redrivenAt, redrivenBy: 'test-ops' });
    expect(listed.find((letter: { headers: Record<string, string> }) => letter.headers.fil_redrive === id)).toMatchObject({ key: 'UNREADABLE-2', redrivenAt: null });
  });

  it('reads only the newest dead letters of each partition for a list of the newest, not the whole DLQ', async () => {
    for (const n of [1, 2, 3]) await probe.send(Topics.ordersSubmitted, 'TAIL', `{"orderId": "TAIL-${n}",`);
    await waitFor(() => probe.messages(Topics.dlq, (m) => m.key === 'TAIL').length === 3, { what: 'three dead letters on one partition' });
    const queue = new DeadLetterQueue(createKafka('dead-letters-tail-test'), Topics.dlq);
    const newest = (await queue.list(1)).filter((letter) => letter.key === 'TAIL');
    expect(newest.map((letter) => letter.value)).toEqual(['{"orderId": "TAIL-3",']);
    const { body } = await call(url, 'GET', '/dead-letters?limit=1', undefined, ops);
    expect(body.map((letter: { value: string }) => letter.value)).toEqual(['{"orderId": "TAIL-3",']);
  });

  it('answers 404 for an unknown id and 400 for one that is not partition:offset', async () => {
    const unknown = await call(url, 'POST', '/dead-letters/0:999999/redrive', undefined, ops);
    expect(unknown).toEqual({ status: 404, body: expect.objectContaining({ message: `no dead letter 0:999999 on ${Topics.dlq}` }) });
    const bad = await call(url, 'POST', '/dead-letters/latest/redrive', undefined, ops);
    expect(bad).toEqual({ status: 400, body: expect.objectContaining({ message: 'latest is not a dead letter id: partition:offset, as GET /dead-letters lists them' }) });
  });

  it('leaves out of the list, and will not re-send, a record on the DLQ that is not a dead letter (another writer, raw or other JSON)', async () => {
    await probe.send(Topics.ordersSubmitted, 'UNREADABLE-3', 'not json either');
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'UNREADABLE-3');
    await probe.send(Topics.dlq, 'STRAY-RAW', 'plain text, no JSON');
    await probe.send(Topics.dlq, 'STRAY-JSON', { note: 'JSON, but no dead letter', rejectedAt: 42 });
    const stray = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'STRAY-JSON');

    const { status, body } = await call(url, 'GET', '/dead-letters?limit=1000', undefined, ops);
    expect(status).toBe(200);
    expect(body.map((letter: { key: string }) => letter.key)).toContain('UNREADABLE-3');
    expect(body.map((letter: { key: string }) => letter.key)).not.toEqual(expect.arrayContaining(['STRAY-RAW']));
    expect(body.map((letter: { key: string }) => letter.key)).not.toEqual(expect.arrayContaining(['STRAY-JSON']));
    const strayId = `${stray.partition}:${stray.offset}`;
    expect(await call(url, 'POST', `/dead-letters/${strayId}/redrive`, undefined, ops)).toEqual({ status: 404, body: expect.objectContaining({ message: `no dead letter ${strayId} on ${Topics.dlq}` }) });
    expect((await call(url, 'POST', `/dead-letters/${dead.partition}:${dead.offset}/redrive`, undefined, ops)).status).toBe(200);
  });

  it('has the effect of a fixed message once, even when it is re-sent again another way (the library npm run dlq uses)', async () => {
    // A valid order a service once gave up on (an operator's dead-letter request): re-sending it now takes it.
    const orderId = 'O-REDRIVEN';
    const value = JSON.stringify(anOrder(orderId));
    const headers = { ce_specversion: '1.0', ce_id: 'channel-msg-1', ce_type: 'OrderSubmitted', ce_source: '/channels/test' };
    const letter: DeadLetter = {
      originalTopic: Topics.ordersSubmitted, partition: 0, offset: '0', key: orderId, headers, value,
      valueBytes: Buffer.byteLength(value), valueSha256: null, truncated: false,
      reason: 'dead-lettered by an operator; last error: database down', consumer: 'orders', rejectedAt: new Date().toISOString(),
    };
    await probe.send(Topics.dlq, orderId, letter);
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === orderId);
    const id = `${dead.partition}:${dead.offset}`;

    expect((await call(url, 'POST', `/dead-letters/${id}/redrive`, undefined, ops)).status).toBe(200);
    await waitFor(() => orderEvents(probe, orderId).some((m) => m.value.status === 'RECEIVED'), { what: 'the re-sent order received' });
    const queue = new DeadLetterQueue(createKafka('dead-letters-test'), Topics.dlq);
    await queue.redrive([(await queue.find(id))!]);
    await waitFor(() => copiesOf(id).length === 2, { what: 'the second copy on its topic' });
    await orchestratorSettled(app, probe);
    expect(orderEvents(probe, orderId).filter((m) => m.value.status === 'RECEIVED')).toHaveLength(1);
  });
});
