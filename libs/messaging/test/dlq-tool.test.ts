import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ConfigResourceTypes } from 'kafkajs';
import { Topics } from '@fil/contracts';
import { closeMessagingDatabase, KafkaProbe, openMessagingDatabase, useTestEnvironment, waitFor } from '@fil/testing';
import { createKafka, InvalidMessage, MessageConsumer, Outbox, OutboxRelay, physicalTopic, type IncomingMessage } from '../src';

useTestEnvironment('dlq-tool');
jest.setTimeout(30_000);

const service = 'dlq-tool';
/** A topic of this test whose broker limit is 8 KiB, raised later as an operator would. */
const SMALL = 'test.small-limit.v1';
const root = join(__dirname, '../../..');
let orm: MikroORM;
const probe = new KafkaProbe();
const kafka = createKafka('fil-dlq-tool-test');
let consumer: MessageConsumer;
let relay: OutboxRelay;

async function startConsumer(): Promise<void> {
  consumer = new MessageConsumer(orm, kafka, new Outbox(service), { service, acceptsSource: () => true, maxRetryDelayMs: 500 });
  consumer.on(Topics.ordersSubmitted, handle);
  await consumer.start();
}

/** `npm run dlq -- ...` as an operator runs it, against this test's topics and database. */
async function dlq(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'scripts/dlq.ts', ...args], { cwd: root, env: process.env });
  return stdout;
}

/** Keys whose messages the handler refuses until the test fixes them, as a deployed fix would. */
const fixed = new Set<string>();

async function handle(message: IncomingMessage<{ key: string; stuck?: boolean }>, em: EntityManager) {
  const { key, stuck } = message.value;
  if (key.startsWith('fixed-later') && !fixed.has(key)) throw new InvalidMessage(`${key} is not valid yet`);
  if (stuck) throw new Error(`${key} keeps failing`);
  await em.execute('insert into effect (key, count) values (?, 1) on conflict (key) do update set count = effect.count + 1', [key]);
}

async function countOf(key: string): Promise<number> {
  const [row] = await orm.em.fork().execute<{ count: number }[]>('select count from effect where key = ?', [key]);
  return row?.count ?? 0;
}

const deadLetters = (key: string) => probe.messages(Topics.dlq, (m) => m.key === key);

beforeAll(async () => {
  orm = await openMessagingDatabase(service);
  await orm.em.fork().execute('create table effect (key text primary key, count integer not null)');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: physicalTopic(SMALL), numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '8192' }] }], waitForLeaders: true });
  await admin.disconnect();
  await probe.start([Topics.dlq, SMALL]);
  relay = new OutboxRelay(orm, kafka);
  await relay.start();
  await startConsumer();
});

afterAll(async () => {
  await consumer.stop();
  await relay.stop();
  await probe.stop();
  await closeMessagingDatabase(orm, service);
});

describe('npm run dlq', () => {
  it('lists and shows dead letters, and redrives one so that the consumer that refused it handles it exactly once', async () => {
    await probe.send(Topics.ordersSubmitted, 'fixed-later', { key: 'fixed-later' }, { ce_id: 'fixed-later-1', ce_source: '/channel' });
    await probe.send(Topics.ordersSubmitted, 'huge', 'x'.repeat(600_000));
    await probe.waitForMessage(Topics.dlq, (m) => m.key === 'fixed-later');
    await probe.waitForMessage(Topics.dlq, (m) => m.key === 'huge');

    const lines = (await dlq('list')).trim().split('\n');
    const later = lines.find((line) => line.includes('fixed-later is not valid yet'))!.split('\t');
    expect(later).toEqual([expect.stringMatching(/^\d+:\d+$/), expect.any(String), service, expect.stringMatching(/^fil\.orders\.submitted\.v1\/\d+@\d+$/), 'fixed-later is not valid yet']);
    const shown = JSON.parse(await dlq('show', later[0]));
    expect(shown).toMatchObject({ id: later[0], key: 'fixed-later', value: '{"key":"fixed-later"}', truncated: false, headers: { ce_id: 'fixed-later-1' } });

    fixed.add('fixed-later');
    await dlq('redrive', later[0]);
    await waitFor(() => countOf('fixed-later'), { what: 'the redriven message handled' });

    // Everything again: the handled copy is a redelivery now, the too large one is refused again from its original.
    await dlq('redrive', '--all');
    await waitFor(() => deadLetters('huge').length === 2, { what: 'the too large message dead-lettered again' });
    // The copy weighs a header more: the redrive's.
    expect(deadLetters('huge').map((m) => m.value.reason)).toEqual([
      'message of 600004 bytes is over the limit of 524288 bytes',
      expect.stringMatching(/^message of 6000\d\d bytes is over the limit of 524288 bytes$/),
    ]);
    expect(deadLetters('huge')[1].value.headers).toEqual({ fil_redrive: expect.stringMatching(/^\d+:\d+$/) });
    await probe.send(Topics.ordersSubmitted, 'fixed-later', { key: 'marker-after-redrive' });
    await waitFor(() => countOf('marker-after-redrive'), { what: 'a message behind the second redrive' });
    expect(await countOf('fixed-later')).toBe(1);
  });

  it('dead-letters, at an operator’s request, a message that holds its partition, and the partition goes on', async () => {
    await probe.send(Topics.ordersSubmitted, 'stuck', { key: 'stuck', stuck: true });
    await probe.send(Topics.ordersSubmitted, 'stuck', { key: 'behind-stuck' });
    const held = await waitFor(() => consumer.held()[0], { what: 'the partition to be held' });

    await dlq('dead-letter', service, held.topic, String(held.partition), held.offset);
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'stuck');
    expect(dead.value.reason).toBe('dead-lettered by an operator; last error: stuck keeps failing');
    await waitFor(() => countOf('behind-stuck'), { what: 'the message behind it' });
    expect(consumer.held()).toEqual([]);
  });

  it('lists parked outbox rows, discards one and sends another again once the broker takes it', async () => {
    const park = (key: string) =>
      orm.em.fork().execute(`insert into outbox_message (message_id, topic, message_key, type, headers, payload) values (?, ?, ?, 'Test', '{}', ?)`, [key, SMALL, key, JSON.stringify({ pad: 'p'.repeat(10_000) })]);
    await park('refused-1');
    await park('refused-2');
    await waitFor(async () => (await relay.parked()) === 2, { what: 'both rows parked' });

    const parked = (await dlq('parked', service)).trim().split('\n').map((line) => line.split('\t'));
    expect(parked.map(([, , topic, key, , error]) => [topic, key, error])).toEqual(
      ['refused-1', 'refused-2'].map((key) => [SMALL, key, expect.stringMatching(/^MESSAGE_TOO_LARGE: /)]),
    );

    const admin = kafka.admin();
    await admin.connect();
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: physicalTopic(SMALL), configEntries: [{ name: 'max.message.bytes', value: '65536' }] }] });
    await admin.disconnect();
    await dlq('discard', parked[0][0]);
    await dlq('unpark', parked[1][0]);
    await probe.waitForMessage(SMALL, (m) => m.key === 'refused-2');
    expect(await relay.parked()).toBe(0);
    expect(await orm.em.fork().execute(`select 1 from outbox_message where message_key = 'refused-1'`)).toEqual([]);
  });

  it('handles once a dead-lettered message its sender sends again after the cause is fixed, while the dead-lettered record read again stays without effect', async () => {
    const headers = { ce_id: 'resent-1', ce_source: '/channel' };
    await probe.send(Topics.ordersSubmitted, 'fixed-later-resent', { key: 'fixed-later-resent' }, headers);
    const dead = await probe.waitForMessage(Topics.dlq, (m) => m.key === 'fixed-later-resent');
    fixed.add('fixed-later-resent');

    // The very record read again, as after a crash between the commit and the offset's: the dead letter stands.
    await consumer.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: physicalTopic(`fil.${service}`), topic: physicalTopic(Topics.ordersSubmitted), partitions: [{ partition: dead.value.partition, offset: dead.value.offset }] });
    await admin.disconnect();
    await startConsumer();
    await probe.send(Topics.ordersSubmitted, 'fixed-later-resent', { key: 'marker-after-reread' });
    await waitFor(() => countOf('marker-after-reread'), { what: 'a message behind the record read again' });
    expect(await countOf('fixed-later-resent')).toBe(0);

    // Sent again by its sender, twice: it has its effect once, and is not dead-lettered again.
    await probe.send(Topics.ordersSubmitted, 'fixed-later-resent', { key: 'fixed-later-resent' }, headers);
    await probe.send(Topics.ordersSubmitted, 'fixed-later-resent', { key: 'fixed-later-resent' }, headers);
    await probe.send(Topics.ordersSubmitted, 'fixed-later-resent', { key: 'marker-after-resend' });
    await waitFor(() => countOf('marker-after-resend'), { what: 'a message behind the copies sent again' });
    expect(await countOf('fixed-later-resent')).toBe(1);
    expect(deadLetters('fixed-later-resent')).toHaveLength(1);
  });
});
