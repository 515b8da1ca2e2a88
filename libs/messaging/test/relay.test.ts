import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import { closeMessagingDatabase, KafkaProbe, openMessagingDatabase, useTestEnvironment, waitFor } from '@fil/testing';
import { createKafka, OutboxRelay, physicalTopic } from '../src';

useTestEnvironment('relay');
jest.setTimeout(30_000);

const service = 'relay';
/** A topic of this test whose broker limit is 8 KiB per record batch, far below the 1 MB default. */
const SMALL = 'test.small-limit.v1';
let orm: MikroORM;
const probe = new KafkaProbe();
const kafka = createKafka('fil-relay-test');
let relay: OutboxRelay;

/** Writes rows as a service's outbox holds them, bypassing `Outbox.add` and its limits as rows from before it did. */
async function pending(...rows: { topic: string; key: string; value: string }[]): Promise<void> {
  for (const { topic, key, value } of rows) {
    const headers = { ce_specversion: '1.0', ce_id: randomUUID(), ce_type: 'Test', ce_source: '/fil/relay', 'content-type': 'application/json' };
    await orm.em.fork().execute('insert into outbox_message (message_id, topic, message_key, type, headers, payload) values (?, ?, ?, ?, ?::jsonb, ?)', [
      headers.ce_id,
      topic,
      key,
      'Test',
      JSON.stringify(headers),
      value,
    ]);
  }
}

const event = (n: number, pad = 0) => JSON.stringify({ n, pad: 'p'.repeat(pad) });
const numbers = (topic: string, key: string) => probe.messages(topic, (m) => m.key === key).map((m) => m.value.n);

beforeAll(async () => {
  orm = await openMessagingDatabase(service);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: physicalTopic(SMALL), numPartitions: 4, configEntries: [{ name: 'max.message.bytes', value: '8192' }] }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  await probe.start([Topics.ordersEvents, SMALL]);
  relay = new OutboxRelay(orm, kafka);
  await relay.start();
});

afterAll(async () => {
  await relay.stop();
  await probe.stop();
  await closeMessagingDatabase(orm, service);
});

describe('outbox relay with a message the broker refuses', () => {
  it('parks a row over the broker limit in the middle of a batch, publishes the others once and everything behind it', async () => {
    await pending(
      { topic: Topics.ordersEvents, key: 'big', value: event(1) },
      { topic: Topics.ordersEvents, key: 'big', value: event(2, 1_100_000) },
      { topic: Topics.ordersEvents, key: 'big', value: event(3) },
      ...['a', 'b', 'c', 'd', 'e'].map((key) => ({ topic: Topics.ordersEvents, key: `other-${key}`, value: event(1) })),
    );
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'big' && m.value.n === 3);
    await pending({ topic: Topics.ordersEvents, key: 'after-big', value: event(1) });
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'after-big');
    await probe.readToEnd(Topics.ordersEvents);

    expect(numbers(Topics.ordersEvents, 'big')).toEqual([1, 3]);
    for (const key of ['a', 'b', 'c', 'd', 'e']) expect(numbers(Topics.ordersEvents, `other-${key}`)).toEqual([1]);
    // The park is committed with the round's marks, possibly after its neighbours reached Kafka.
    const parked = await waitFor(async () => {
      const rows = await orm.em.fork().execute(`select message_key, error from outbox_message where parked_at is not null and topic = ?`, [Topics.ordersEvents]);
      return rows.length > 0 && rows;
    }, { what: 'the refused row to be parked' });
    expect(parked).toEqual([{ message_key: 'big', error: expect.stringMatching(/larger than the max message size/) }]);
  });

  it('publishes the rows of a partition one by one when the broker refuses them together, parking only the one it refuses alone', async () => {
    await pending(
      ...[1, 2].map((n) => ({ topic: SMALL, key: 'shared', value: event(n, 3_000) })),
      { topic: SMALL, key: 'shared', value: event(3, 10_000) },
      { topic: SMALL, key: 'shared', value: event(4, 3_000) },
      { topic: SMALL, key: 'neighbour', value: event(1) },
    );
    await probe.waitForMessage(SMALL, (m) => m.key === 'shared' && m.value.n === 4);
    await probe.waitForMessage(SMALL, (m) => m.key === 'neighbour');
    await probe.readToEnd(SMALL);

    expect(numbers(SMALL, 'shared')).toEqual([1, 2, 4]);
    expect(numbers(SMALL, 'neighbour')).toEqual([1]);
    const parked = await waitFor(async () => {
      const rows = await orm.em.fork().execute<{ payload: string }[]>(`select payload from outbox_message where parked_at is not null and topic = ?`, [SMALL]);
      return rows.length > 0 && rows;
    }, { what: 'the refused row to be parked' });
    expect(parked.map((row: { payload: string }) => JSON.parse(row.payload).n)).toEqual([3]);
  });
});

describe('outbox relay with rows for a topic the broker does not have', () => {
  it('publishes the rows of other topics, and keeps those rows waiting, named, instead of stopping every topic behind them', async () => {
    const missing = 'test.not-created.v1';
    await pending(
      ...[1, 2].map((n) => ({ topic: missing, key: 'lost-topic', value: event(n) })),
      { topic: Topics.ordersEvents, key: 'behind-missing-topic', value: event(1) },
    );
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'behind-missing-topic');
    expect(relay.topicsWaiting()).toEqual([{ topic: missing, error: expect.stringMatching(/UNKNOWN_TOPIC_OR_PARTITION/), since: expect.any(String) }]);
    const waiting = await orm.em.fork().execute(`select count(*)::int as n from outbox_message where topic = ? and published_at is null and parked_at is null`, [missing]);
    expect(waiting).toEqual([{ n: 2 }]);
  });
});
