import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import { ormOptions, ensureDatabase, dropDatabase, databaseName } from '@fil/persistence';
import { KafkaProbe, useTestEnvironment, waitFor } from '@fil/testing';
import {
  createKafka,
  InvalidMessage,
  MessageConsumer,
  messagingMigration,
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
  orm = await MikroORM.init(ormOptions({ service, entities: [Effect], migrations: [messagingMigration] }));
  await orm.getMigrator().up();
  await orm.em.fork().execute('create table effect (key text primary key, count integer not null)');
  await probe.start([Topics.ordersEvents, Topics.dlq]);
});

afterAll(async () => {
  await probe.stop();
  await orm.close();
  await dropDatabase(databaseName(service));
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
    consumer = new MessageConsumer(orm, kafka, outbox, { service, retryDelayMs: 20 });
    consumer.on(Topics.ordersSubmitted, applyEffect);
    relay = new OutboxRelay(orm, kafka);
    await relay.start();
    await consumer.start();
  });

  afterAll(async () => {
    await consumer.stop();
    await relay.stop();
  });

  it('has the effect of a message delivered twice only once', async () => {
    const headers = { ce_id: 'dup-1', ce_type: 'Test', ce_specversion: '1.0', ce_source: 'test' };
    await probe.send(Topics.ordersSubmitted, 'dup', { key: 'dup' }, headers);
    await probe.send(Topics.ordersSubmitted, 'dup', { key: 'dup' }, headers);
    await probe.send(Topics.ordersSubmitted, 'dup', { key: 'dup-marker' });
    await waitFor(() => countOf('dup-marker'), { what: 'the marker after the duplicates' });
    expect(await countOf('dup')).toBe(1);
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'dup');
    expect(probe.messages(Topics.ordersEvents, (m) => m.key === 'dup')).toHaveLength(1);
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

  it('dead-letters a message that keeps failing after bounded retries and one refused as invalid', async () => {
    await probe.send(Topics.ordersSubmitted, 'doomed', { key: 'doomed', fail: 99 });
    await probe.send(Topics.ordersSubmitted, 'refused', { key: 'refused', invalid: true });
    await probe.send(Topics.ordersSubmitted, 'doomed', { key: 'after-doomed' });
    const doomed = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'doomed');
    expect(doomed.value.reason).toMatch(/^failed after 3 attempts: transient failure \d for doomed$/);
    const refused = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'refused');
    expect(refused.value.reason).toBe('key refused is invalid on purpose');
    await waitFor(() => countOf('after-doomed'), { what: 'the message after the doomed one' });
    expect(await countOf('doomed')).toBe(0);
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
