import { createHash, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Partitioners } from 'kafkajs';
import { Topics } from '@fil/contracts';
import { startTracing, stopTracing } from '@fil/observability';
import { closeMessagingDatabase, KafkaProbe, openMessagingDatabase, useTestEnvironment, waitFor } from '@fil/testing';
import { createKafka, MessageConsumer, Outbox, OutboxRelay, physicalTopic, type IncomingMessage } from '../src';

useTestEnvironment('consumer-failures');
// Propagation only, so that the test can see which trace a dead letter continues.
startTracing('consumer-failures-test');
jest.setTimeout(30_000);

const service = 'consumer-failures';
let orm: MikroORM;
const probe = new KafkaProbe();
const kafka = createKafka('fil-consumer-failures-test');
const outbox = new Outbox(service);
let consumer: MessageConsumer;
let relay: OutboxRelay;

/** Every attempt the handler made, by key: the real signal that a message is being retried. */
const attempts = new Map<string, number>();
const offsets = new Map<string, string>();

/** Counts each message's effect on its key's row, waiting at most 300 ms for a lock as a service under contention would. */
async function applyEffect(message: IncomingMessage<{ key: string; n: number }>, em: EntityManager) {
  const { key, n } = message.value;
  attempts.set(key, (attempts.get(key) ?? 0) + 1);
  offsets.set(`${key}:${n}`, message.offset);
  await em.execute(`set local lock_timeout = '300ms'`);
  await em.execute('insert into effect (key, count) values (?, 1) on conflict (key) do update set count = effect.count + 1', [key]);
  await outbox.add(em, { topic: Topics.ordersEvents, key, type: 'EffectApplied', data: { key, n } });
}

/** What the sender of a message refused for what it holds was answered, by key. */
const answers = new Map<string, string>();

/** Stores the count it was sent into an integer column: one beyond 2^31 - 1 is a data exception in PostgreSQL. */
async function storeCount(message: IncomingMessage<{ key: string; n: number }>, em: EntityManager) {
  const { key, n } = message.value;
  await em.execute('insert into effect (key, count) values (?, ?) on conflict (key) do update set count = excluded.count', [key, n]);
}

async function countOf(key: string): Promise<number> {
  const [row] = await orm.em.fork().execute<{ count: number }[]>('select count from effect where key = ?', [key]);
  return row?.count ?? 0;
}

const partitionOf = (key: string) =>
  Partitioners.DefaultPartitioner()({ topic: '', partitionMetadata: [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [], isr: [] })), message: { key, value: null } });

beforeAll(async () => {
  orm = await openMessagingDatabase(service);
  await orm.em.fork().execute('create table effect (key text primary key, count integer not null)');
  await probe.start([Topics.ordersEvents, Topics.dlq]);
  consumer = new MessageConsumer(orm, kafka, outbox, { service, acceptsSource: () => true });
  consumer.on(Topics.ordersSubmitted, applyEffect);
  consumer.on(Topics.returnsRequested, storeCount, {
    refused: async ({ value }, reason, em) => {
      answers.set(value.key, reason);
      if (value.key === 'traced') await outbox.add(em, { topic: Topics.ordersEvents, key: value.key, type: 'Refused', data: { reason } });
    },
  });
  relay = new OutboxRelay(orm, kafka);
  await relay.start();
  await consumer.start();
});

afterAll(async () => {
  await consumer.stop();
  await relay.stop();
  await probe.stop();
  await closeMessagingDatabase(orm, service);
  await stopTracing();
});

describe('a message whose handler keeps failing for a while', () => {
  it('is retried until it succeeds, holding its partition without committing past it while the other partitions go on', async () => {
    const neighbour = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'].find((key) => partitionOf(key) !== partitionOf('held'))!;
    await orm.em.fork().execute(`insert into effect (key, count) values ('held', 0)`);
    let release!: () => void;
    const locked = new Promise<void>((resolve) => (release = resolve));
    let lockTaken!: () => void;
    const taken = new Promise<void>((resolve) => (lockTaken = resolve));
    const holder = orm.em.fork().transactional(async (tx) => {
      await tx.execute(`select 1 from effect where key = 'held' for update`);
      lockTaken();
      await locked;
    });
    await taken;

    try {
      await probe.send(Topics.ordersSubmitted, 'held', { key: 'held', n: 1 });
      await probe.send(Topics.ordersSubmitted, 'held', { key: 'held', n: 2 });
      await waitFor(() => (attempts.get('held') ?? 0) >= 5, { what: 'five attempts at the held message' });
      await probe.send(Topics.ordersSubmitted, neighbour, { key: neighbour, n: 1 });
      await waitFor(() => countOf(neighbour), { what: 'the message on another partition' });
      const admin = kafka.admin();
      await admin.connect();
      const [committed] = await admin.fetchOffsets({ groupId: physicalTopic(`fil.${service}`), topics: [physicalTopic(Topics.ordersSubmitted)] });
      await admin.disconnect();
      const heldPartition = committed.partitions.find((p) => p.partition === partitionOf('held'))!;
      expect(Number(heldPartition.offset)).toBeLessThanOrEqual(Number(offsets.get('held:1')));
    } finally {
      release();
      await holder;
    }
    await waitFor(async () => (await countOf('held')) === 2, { what: 'both held messages applied' });
    await waitFor(() => probe.messages(Topics.ordersEvents, (m) => m.key === 'held').length === 2, { what: 'both events' });
    expect(probe.messages(Topics.ordersEvents, (m) => m.key === 'held').map((m) => m.value.n)).toEqual([1, 2]);
    const dead = await orm.em.fork().execute(`select 1 from outbox_message where topic = ? and message_key = 'held'`, [Topics.dlq]);
    expect(dead).toHaveLength(0);
  });
});

describe('a message holding a value the database refuses', () => {
  it("goes to the DLQ with the database's reason and its sender is answered, instead of holding its partition for ever", async () => {
    await probe.send(Topics.returnsRequested, 'overflow', { key: 'overflow', n: 3_000_000_000 });
    await probe.send(Topics.returnsRequested, 'overflow', { key: 'overflow', n: 7 });
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'overflow');
    expect(dead.value).toMatchObject({ originalTopic: Topics.returnsRequested, reason: 'the database refused a value it holds: SQLSTATE 22003 (numeric value out of range)' });
    expect(answers.get('overflow')).toBe(dead.value.reason);
    await waitFor(async () => (await countOf('overflow')) === 7, { what: 'the next message on the partition' });
    expect(consumer.held()).toEqual([]);
  });
});

describe('a dead-lettered message that came in a trace', () => {
  it('continues it: the dead letter and the answer to its sender carry its trace id', async () => {
    const traceId = randomBytes(16).toString('hex');
    await probe.send(Topics.returnsRequested, 'traced', { key: 'traced', n: 3_000_000_000 }, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'traced');
    const answer = await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'traced' && m.headers.ce_type === 'Refused');
    expect([dead, answer].map((message) => message.headers.traceparent?.split('-')[1])).toEqual([traceId, traceId]);
  });

  it('logs it going to the DLQ once, with its trace id, whether it failed in its handler or was refused on arrival', async () => {
    const logged: { msg: string; traceId?: string }[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((msg) => void logged.push({ msg: String(msg), traceId: trace.getActiveSpan()?.spanContext().traceId }));
    try {
      const [failing, notJson] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
      const traceparent = (traceId: string) => ({ traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
      await probe.send(Topics.returnsRequested, 'traced-log', { key: 'traced-log', n: 3_000_000_000 }, traceparent(failing));
      await probe.send(Topics.returnsRequested, 'traced-not-json', '{not json', traceparent(notJson));
      await probe.waitForMessage(Topics.dlq, (m) => m.key === 'traced-log');
      await probe.waitForMessage(Topics.dlq, (m) => m.key === 'traced-not-json');
      const toTheDlq = (traceId: string) => logged.filter((line) => line.traceId === traceId && line.msg.includes('goes to the DLQ'));
      expect([toTheDlq(failing).length, toTheDlq(notJson).length]).toEqual([1, 1]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('a message holding a value too large for an index', () => {
  it('goes to the DLQ naming the limit, instead of holding its partition for ever', async () => {
    await probe.send(Topics.returnsRequested, 'unindexable', { key: randomBytes(150_000).toString('hex'), n: 1 });
    await probe.send(Topics.returnsRequested, 'unindexable', { key: 'unindexable', n: 2 });
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'unindexable');
    expect(dead.value.reason).toBe('the database refused a value it holds: SQLSTATE 54000 (program limit exceeded: a value too large to store or index)');
    await waitFor(async () => (await countOf('unindexable')) === 2, { what: 'the next message on the partition' });
    expect(consumer.held()).toEqual([]);
  });
});

describe('a message over the size limit', () => {
  it('goes to the DLQ with a bounded excerpt, its size and its SHA-256, not a multiplied copy', async () => {
    const value = '\u0001'.repeat(900_000);
    await probe.send(Topics.ordersSubmitted, 'control-bytes', value);
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'control-bytes');
    expect(dead.raw!.length).toBeLessThan(64 * 1024);
    expect(dead.value).toMatchObject({
      originalTopic: Topics.ordersSubmitted,
      value: '\u0001'.repeat(4096),
      valueBytes: 900_000,
      valueSha256: createHash('sha256').update(value).digest('hex'),
      truncated: true,
      reason: 'message of 900013 bytes is over the limit of 524288 bytes',
    });
  });
});

describe('the messages of one fetch on several partitions', () => {
  const gatheringService = 'consumer-gathering';
  /** Keys the handler fails for, with how many attempts still fail. */
  const failing = new Map<string, number>();
  const transactions = new Map<string, string>();
  let gathering: MessageConsumer;

  async function recordTransaction(message: IncomingMessage<{ key: string; n: number }>, em: EntityManager) {
    const { key } = message.value;
    const left = failing.get(key) ?? 0;
    if (left > 0) {
      failing.set(key, left - 1);
      throw new Error(`${key} fails for ${left} more attempts`);
    }
    const [{ txid }] = await em.execute<{ txid: string }[]>('select txid_current()::text as txid');
    transactions.set(key, txid);
    await em.execute('insert into effect (key, count) values (?, 1) on conflict (key) do update set count = effect.count + 1', [key]);
  }

  /** Keys on `partitions` distinct partitions, `each` a partition, all sent before the consumer starts so that one fetch holds them. */
  async function sendAcrossPartitions(prefix: string, partitions: number, each: number): Promise<string[]> {
    const byPartition = new Map<number, string[]>();
    for (let i = 0; [...byPartition.values()].filter((keys) => keys.length >= each).length < partitions; i += 1) {
      const key = `${prefix}-${i}`;
      const keys = byPartition.get(partitionOf(key)) ?? byPartition.set(partitionOf(key), []).get(partitionOf(key))!;
      if (keys.length < each) keys.push(key);
    }
    const keys = [...byPartition.values()].flat();
    for (const key of keys) await probe.send(Topics.inventoryEvents, key, { key, n: 1 });
    return keys;
  }

  afterEach(async () => {
    await gathering?.stop();
  });

  async function startGathering(): Promise<void> {
    gathering = new MessageConsumer(orm, kafka, outbox, { service: gatheringService, acceptsSource: () => true, retryDelayMs: 50 });
    gathering.on(Topics.inventoryEvents, recordTransaction);
    await gathering.start();
  }

  it('handles them in one transaction, not one per partition', async () => {
    const keys = await sendAcrossPartitions('together', 4, 2);
    await startGathering();
    await waitFor(() => keys.every((key) => transactions.has(key)), { what: 'every message handled' });
    expect(new Set(keys.map(partitionOf)).size).toBe(4);
    expect(new Set(keys.map((key) => transactions.get(key))).size).toBe(1);
    for (const key of keys) expect(await countOf(key)).toBe(1);
  });

  it('holds only the partition of one that fails: the others are handled once, and it once when it recovers', async () => {
    const keys = await sendAcrossPartitions('apart', 4, 2);
    const flaky = keys[0];
    failing.set(flaky, 3);
    await startGathering();
    await waitFor(() => keys.filter((key) => partitionOf(key) !== partitionOf(flaky)).every((key) => transactions.has(key)), { what: 'the other partitions handled' });
    await waitFor(() => transactions.has(flaky), { what: 'the failing message handled once it recovers' });
    await waitFor(() => keys.every((key) => transactions.has(key)), { what: 'every message handled' });
    for (const key of keys) expect(await countOf(key)).toBe(1);
    expect(failing.get(flaky)).toBe(0);
  });
});
