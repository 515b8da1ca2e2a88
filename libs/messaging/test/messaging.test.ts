import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import { ormOptions, ensureDatabase, dropDatabase, databaseName } from '@fil/persistence';
import { KafkaProbe, useTestEnvironment, waitFor } from '@fil/testing';
import {
  createKafka,
  InvalidMessage,
  MessageConsumer,
  messagingMigrations,
  Outbox,
  OutboxRelay,
  type IncomingMessage,
} from '../src';

useTestEnvironment('messaging');
jest.setTimeout(90_000);

/** A stand-in for a service's state: how many times each key's effect happened. */
@Entity({ tableName: 'effect' })
class Effect {
  @PrimaryKey({ type: 'string' }) key: string;
  @Property({ type: 'integer' }) count = 0;
}

const service = 'messaging';
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
/** The only source the test consumer accepts on its internal topic. */
const OWNER = '/fil/owner';
const internalTopic = Topics.inventoryEvents;
let orm: MikroORM;
const probe = new KafkaProbe();
const kafka = createKafka('fil-messaging-test');
const outbox = new Outbox(service);

async function countOf(key: string): Promise<number> {
  const effect = await orm.em.fork().findOne(Effect, { key });
  return effect?.count ?? 0;
}

/** Applies one effect per message; `fail:N` values fail N times first, `invalid` is refused. */
const failures = new Map<string, number>();
async function applyEffect(message: IncomingMessage<{ key: string; n?: number; fail?: number; invalid?: boolean }>, em: EntityManager) {
  const { key, n, fail, invalid } = message.value;
  if (invalid) throw new InvalidMessage(`key ${key} is invalid on purpose`);
  if (fail && (failures.get(key) ?? 0) < fail) {
    failures.set(key, (failures.get(key) ?? 0) + 1);
    throw new Error(`transient failure ${failures.get(key)} for ${key}`);
  }
  const effect = (await em.findOne(Effect, { key })) ?? em.create(Effect, { key, count: 0 });
  effect.count += 1;
  await outbox.add(em, { topic: Topics.ordersEvents, key, type: 'EffectApplied', data: { key, n } });
}

beforeAll(async () => {
  await ensureDatabase(databaseName(service));
  orm = await MikroORM.init(ormOptions({ service, entities: [Effect], migrations: messagingMigrations }));
  await orm.getMigrator().up();
  await orm.em.fork().execute('create table effect (key text primary key, count integer not null)');
  await probe.start([Topics.ordersEvents, Topics.dlq]);
});

afterAll(async () => {
  await probe.stop();
  await orm.close();
  await dropDatabase(databaseName(service));
});

describe('handled messages keyed by source', () => {
  it('keeps the ids handled before the migration as handled, from no source, and lets other sources use them', async () => {
    const upgraded = 'messaging-upgrade';
    await ensureDatabase(databaseName(upgraded));
    const old = await MikroORM.init(
      ormOptions({ service: upgraded, entities: [Effect], migrations: messagingMigrations.slice(0, 2) }),
    );
    try {
      await old.getMigrator().up({ to: messagingMigrations[0].name });
      const em = old.em.fork();
      await em.execute(`insert into handled_message (consumer, message_id) values ('c', 'before')`);
      await old.getMigrator().up();
      expect(await em.execute('select source, message_id, digest from handled_message')).toEqual([{ source: '', message_id: 'before', digest: null }]);
      const claim = (source: string) =>
        em.execute(`insert into handled_message (consumer, source, message_id) values ('c', ?, 'before') on conflict do nothing returning 1`, [source]);
      expect(await claim('')).toHaveLength(0);
      expect(await claim('/channel-a')).toHaveLength(1);
    } finally {
      await old.close();
      await dropDatabase(databaseName(upgraded));
    }
  });
});

describe('outbox', () => {
  it('holds back the messages of a batched transaction and writes them at its end in one statement, in order', async () => {
    const count = async (em: EntityManager) =>
      Number((await em.execute<{ n: string }[]>(`select count(*) as n from outbox_message where message_key like 'held-%'`))[0].n);
    await orm.em.fork().transactional(async (tx) => {
      await outbox.batched(tx, async () => {
        await outbox.add(tx, { topic: Topics.ordersEvents, key: 'held-1', type: 'Held', data: { n: 1 } });
        await outbox.add(tx, { topic: Topics.ordersEvents, key: 'held-2', type: 'Held', data: { n: 2 } }, { topic: Topics.ordersEvents, key: 'held-3', type: 'Held', data: { n: 3 } });
        expect(await count(tx)).toBe(0);
      });
      expect(await count(tx)).toBe(3);
    });
    const rows = await orm.em.fork().execute<{ message_key: string }[]>(`select message_key from outbox_message where message_key like 'held-%' order by id`);
    expect(rows.map((row) => row.message_key)).toEqual(['held-1', 'held-2', 'held-3']);
  });

  it('writes nothing when the batched work fails', async () => {
    await expect(
      orm.em.fork().transactional((tx) =>
        outbox.batched(tx, async () => {
          await outbox.add(tx, { topic: Topics.ordersEvents, key: 'lost-1', type: 'Held', data: {} });
          throw new Error('the batch failed');
        }),
      ),
    ).rejects.toThrow('the batch failed');
    const [{ n }] = await orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from outbox_message where message_key = 'lost-1'`);
    expect(Number(n)).toBe(0);
  });
});

describe('outbox relay', () => {
  it('publishes an event committed before the relay died, exactly once, after a new relay starts', async () => {
    await orm.em.fork().transactional((em) =>
      outbox.add(em, { topic: Topics.ordersEvents, key: 'crash-1', type: 'Crashed', data: { n: 1 } }),
    );
    let attempts = 0;
    const dying = new OutboxRelay(orm, kafka, {
      beforePublish: () => {
        attempts += 1;
        throw new Error('relay process died before publishing');
      },
    });
    await dying.start();
    await waitFor(() => attempts > 0, { what: 'the relay to read the row' });
    await dying.stop();
    expect(probe.messages(Topics.ordersEvents, (m) => m.key === 'crash-1')).toHaveLength(0);

    const relay = new OutboxRelay(orm, kafka);
    await relay.start();
    try {
      const event = await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'crash-1');
      expect(event.value).toEqual({ n: 1 });
      expect(event.headers).toMatchObject({ ce_specversion: '1.0', ce_type: 'Crashed', ce_source: '/fil/messaging' });
      expect(event.headers.ce_id).toBeTruthy();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(probe.messages(Topics.ordersEvents, (m) => m.key === 'crash-1')).toHaveLength(1);
    } finally {
      await relay.stop();
    }
  });

  it('purges published rows and handled ids older than the retention', async () => {
    const em = orm.em.fork();
    await em.execute(`insert into outbox_message (message_id, topic, type, headers, payload, published_at)
      values ('old', 't', 'T', '{}', '{}', now() - interval '10 days')`);
    await em.execute(`insert into handled_message (consumer, message_id, handled_at) values ('x', 'old', now() - interval '10 days')`);
    await new OutboxRelay(orm, kafka, { retentionHours: 24 }).purge();
    expect(await em.execute(`select 1 from outbox_message where message_id = 'old'`)).toHaveLength(0);
    expect(await em.execute(`select 1 from handled_message where message_id = 'old'`)).toHaveLength(0);
  });
});

describe('message consumer', () => {
  let consumer: MessageConsumer;
  let relay: OutboxRelay;

  beforeAll(async () => {
    consumer = new MessageConsumer(orm, kafka, outbox, {
      service,
      retryDelayMs: 20,
      acceptsSource: (topic, source) => topic !== internalTopic || source === OWNER,
    });
    consumer.on(Topics.ordersSubmitted, applyEffect);
    consumer.on(internalTopic, applyEffect);
    relay = new OutboxRelay(orm, kafka);
    await relay.start();
    await consumer.start();
  });

  afterAll(async () => {
    await consumer.stop();
    await relay.stop();
  });

  it('has the effect of a message delivered twice only once, whatever its time and trace headers', async () => {
    const headers = { ce_id: 'dup-1', ce_type: 'Test', ce_specversion: '1.0', ce_source: 'test' };
    await probe.send(Topics.ordersSubmitted, 'dup', { key: 'dup' }, { ...headers, ce_time: '2025-01-01T00:00:00Z' });
    await probe.send(Topics.ordersSubmitted, 'dup', { key: 'dup' }, { ...headers, ce_time: '2025-01-02T00:00:00Z', traceparent: TRACEPARENT });
    await probe.send(Topics.ordersSubmitted, 'dup', { key: 'dup-marker' });
    await waitFor(() => countOf('dup-marker'), { what: 'the marker after the duplicates' });
    expect(await countOf('dup')).toBe(1);
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'dup');
    expect(probe.messages(Topics.ordersEvents, (m) => m.key === 'dup')).toHaveLength(1);
  });

  it('takes a copy sent again with its keys in another order as a redelivery, not as an id reused for other content', async () => {
    const headers = { ce_id: 'reordered-1', ce_source: '/channel-a', ce_type: 'Test' };
    await probe.send(Topics.ordersSubmitted, 'reordered', '{"key":"reordered","lines":[{"sku":"A","atp":1}]}', headers);
    await probe.send(Topics.ordersSubmitted, 'reordered', '{"lines":[{"atp":1,"sku":"A"}],"key":"reordered"}', headers);
    await probe.send(Topics.ordersSubmitted, 'reordered', { key: 'reordered-marker' });
    await waitFor(() => countOf('reordered-marker'), { what: 'the marker after the copies' });
    expect(await countOf('reordered')).toBe(1);
    await probe.readToEnd(Topics.dlq);
    expect(probe.messages(Topics.dlq, (m) => m.key === 'reordered')).toEqual([]);
  });

  it('handles the same ce_id from two sources as two messages: ids are unique only per source', async () => {
    await probe.send(Topics.ordersSubmitted, 'shared-a', { key: 'shared-a' }, { ce_id: 'shared-1', ce_source: '/channel-a' });
    await probe.send(Topics.ordersSubmitted, 'shared-b', { key: 'shared-b' }, { ce_id: 'shared-1', ce_source: '/channel-b' });
    await waitFor(() => countOf('shared-a'), { what: 'the message from the first source' });
    await waitFor(() => countOf('shared-b'), { what: 'the message from the second source' });
  });

  it('sends a message whose source and id were already used for other content to the DLQ, within one batch', async () => {
    const headers = { ce_id: 'reused-1', ce_source: '/channel-a', ce_type: 'Test' };
    await probe.sendMany(Topics.ordersSubmitted, [
      { key: 'reused', value: JSON.stringify({ key: 'reused', n: 1 }), headers },
      { key: 'reused', value: JSON.stringify({ key: 'reused', n: 2 }), headers },
    ]);
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'reused');
    expect(dead.value.reason).toBe('message id reused-1 from source /channel-a was already used for different content');
    expect(JSON.parse(dead.value.value)).toEqual({ key: 'reused', n: 2 });
    expect(await countOf('reused')).toBe(1);
  });

  it('sends a message whose source and id were already used for other content to the DLQ, in a later batch', async () => {
    const headers = { ce_id: 'reused-2', ce_source: '/channel-a', ce_type: 'Test' };
    await probe.send(Topics.ordersSubmitted, 'reused-later', { key: 'reused-later', n: 1 }, headers);
    await waitFor(() => countOf('reused-later'), { what: 'the first use of the id' });
    await probe.send(Topics.ordersSubmitted, 'reused-later', { key: 'reused-later', n: 2 }, headers);
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'reused-later');
    expect(dead.value.reason).toBe('message id reused-2 from source /channel-a was already used for different content');
    expect(await countOf('reused-later')).toBe(1);
  });

  it('tells a reused id from a redelivery also when a failed batch is retried one message at a time', async () => {
    const headers = { ce_id: 'reused-3', ce_source: '/channel-a' };
    await probe.sendMany(Topics.ordersSubmitted, [
      { key: 'alone', value: JSON.stringify({ key: 'alone-flaky', fail: 1 }) },
      { key: 'alone', value: JSON.stringify({ key: 'alone', n: 1 }), headers },
      { key: 'alone', value: JSON.stringify({ key: 'alone', n: 1 }), headers: { ...headers, traceparent: TRACEPARENT } },
      { key: 'alone', value: JSON.stringify({ key: 'alone', n: 2 }), headers },
    ]);
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'alone');
    expect(dead.value.reason).toBe('message id reused-3 from source /channel-a was already used for different content');
    expect(JSON.parse(dead.value.value)).toEqual({ key: 'alone', n: 2 });
    expect(await countOf('alone-flaky')).toBe(1);
    expect(await countOf('alone')).toBe(1);
  });

  it('sends a message on an internal topic from another source than its owner, or from none, to the DLQ without effect', async () => {
    await probe.send(internalTopic, 'forged', { key: 'forged' }, { ce_id: 'forged-1', ce_source: '/intruder' });
    await probe.send(internalTopic, 'forged', { key: 'forged' }, { ce_id: 'forged-2' });
    await probe.send(internalTopic, 'forged', { key: 'forged' }, { ce_id: 'forged-1', ce_source: OWNER });
    const dead = await waitFor(() => {
      const found = probe.messages(Topics.dlq, (m) => m.key === 'forged');
      return found.length === 2 && found;
    }, { what: 'both forged messages in the DLQ' });
    expect(dead.map((m) => m.value.reason)).toEqual([
      `${internalTopic} does not accept messages from source /intruder`,
      `${internalTopic} does not accept messages without a ce_source`,
    ]);
    // The owner's message, with the id the intruder used first, is the only one with an effect.
    await waitFor(() => countOf('forged'), { what: "the owner's message" });
    expect(await countOf('forged')).toBe(1);
  });

  it('sends a value that is not JSON to the DLQ with the reason and goes on with the next message', async () => {
    await probe.send(Topics.ordersSubmitted, 'garbage', '{not json');
    await probe.send(Topics.ordersSubmitted, 'garbage', { key: 'after-garbage' });
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'garbage');
    expect(dead.value).toMatchObject({ originalTopic: Topics.ordersSubmitted, value: '{not json', consumer: service });
    expect(dead.value.reason).toMatch(/not valid JSON/);
    expect(dead.value.offset).toEqual(expect.any(String));
    await waitFor(() => countOf('after-garbage'), { what: 'the message after the garbage' });
  });

  it('retries a failing message and applies it once when it recovers', async () => {
    await probe.send(Topics.ordersSubmitted, 'flaky', { key: 'flaky', fail: 2 });
    await waitFor(() => countOf('flaky'), { what: 'the flaky effect' });
    expect(await countOf('flaky')).toBe(1);
    expect(probe.messages(Topics.dlq, (m) => m.key === 'flaky')).toHaveLength(0);
  });

  it('dead-letters a message its handler refuses as invalid at once, and goes on with the next', async () => {
    await probe.send(Topics.ordersSubmitted, 'refused', { key: 'refused', invalid: true });
    await probe.send(Topics.ordersSubmitted, 'refused', { key: 'after-refused' });
    const refused = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'refused');
    expect(refused.value.reason).toBe('key refused is invalid on purpose');
    await waitFor(() => countOf('after-refused'), { what: 'the message after the refused one' });
  });

  it('keeps the order of messages with the same key, from input through the outbox to output', async () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    for (let n = 1; n <= 20; n += 1) {
      for (const key of keys) await probe.send(Topics.ordersSubmitted, `${key}-seq`, { key: `${key}-seq`, n }, { ce_id: `${key}-${n}` });
    }
    await waitFor(async () => (await countOf('k6-seq')) === 20, { what: 'all sequenced messages' });
    await waitFor(() => keys.every((key) => probe.messages(Topics.ordersEvents, (m) => m.key === `${key}-seq`).length === 20), {
      what: 'all sequenced events',
    });
    const partitionsUsed = new Set<number>();
    for (const key of keys) {
      const events = probe.messages(Topics.ordersEvents, (m) => m.key === `${key}-seq`);
      expect(events.map((m) => m.value.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(events.map((m) => m.partition)).size).toBe(1);
      partitionsUsed.add(events[0].partition);
    }
    expect(partitionsUsed.size).toBeGreaterThan(1);
  });
});
