// A record's key and headers reach the database too (the dedupe table, the DLQ row): NUL bytes
// and huge ids there must be answered like any bad input, not retried forever on the partition.
import type { INestApplication } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import { Topics } from '@fil/contracts';
import { physicalTopic } from '@fil/messaging';
import { databaseName, dropDatabase } from '@fil/persistence';
import { KafkaProbe, startService, useTestEnvironment } from '@fil/testing';
import { anOrder } from '../apps/order-orchestrator/test/support';

useTestEnvironment('bad-envelope');
jest.setTimeout(60_000);

const probe = new KafkaProbe();
let producer: Producer;
let app: INestApplication;

beforeAll(async () => {
  const { AppModule, definition } = await import('../apps/order-orchestrator/src/app.module');
  ({ app } = await startService(AppModule, definition));
  await probe.start([Topics.ordersEvents, Topics.dlq]);
  producer = probe.kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await probe.stop();
  await app?.close();
  await dropDatabase(databaseName('orders'));
});

const cases = [
  { kind: 'a NUL byte in the key', orderId: 'ENV-KEY', key: 'ENV-KEY\u0000', headers: {}, reason: 'key: must not contain NUL bytes' },
  { kind: 'a NUL byte in ce_id', orderId: 'ENV-ID', key: 'ENV-ID', headers: { ce_id: 'id\u0000' }, reason: 'header ce_id: must not contain NUL bytes' },
  { kind: 'a NUL byte in a header name', orderId: 'ENV-NAME', key: 'ENV-NAME', headers: { 'x-\u0000': 'v' }, reason: 'header x-\\u0000: must not contain NUL bytes' },
  { kind: 'a ce_id of 300 kB', orderId: 'ENV-LONG', key: 'ENV-LONG', headers: { ce_id: 'i'.repeat(300_000) }, reason: 'ce_id: must be at most 256 characters' },
  { kind: 'a ce_source of 300 kB', orderId: 'ENV-SOURCE', key: 'ENV-SOURCE', headers: { ce_id: 'env-source', ce_source: 's'.repeat(300_000) }, reason: 'ce_source: must be at most 256 characters' },
];

it('dead-letters orders whose key or headers cannot be stored, with the reason, and goes on with the partition', async () => {
  const messages = [...cases.map(({ orderId, key, headers }) => ({ key, headers, value: JSON.stringify(anOrder(orderId)) })), { key: 'ENV-AFTER', headers: {}, value: JSON.stringify(anOrder('ENV-AFTER')) }];
  // One partition for all, so that the valid order waits behind the bad ones.
  await producer.send({ topic: physicalTopic(Topics.ordersSubmitted), messages: messages.map((message) => ({ ...message, partition: 0 })) });

  // Received is enough: no inventory runs here to answer the routing.
  await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'ENV-AFTER', 30_000);
  for (const { orderId, reason } of cases) {
    const letter = await probe.waitForMessage(Topics.dlq, (m) => m.value.value?.includes(`"orderId":"${orderId}"`));
    expect([orderId, letter.value.reason]).toEqual([orderId, reason]);
    expect(probe.messages(Topics.ordersEvents, (m) => m.key === orderId)).toEqual([]);
  }
});
