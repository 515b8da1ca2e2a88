import type { MikroORM } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import { closeMessagingDatabase, KafkaProbe, openMessagingDatabase, useTestEnvironment, waitFor } from '@fil/testing';
import { createKafka, Outbox, OUTBOX_LISTENER_NAME, OutboxRelay } from '../src';

useTestEnvironment('relay-notify');
jest.setTimeout(60_000);

const service = 'relay-notify';
/** Far beyond every wait of this file: a row published in time was woken for, not polled. */
const FALLBACK_POLL_MS = 10 * 60_000;
let orm: MikroORM;
const probe = new KafkaProbe();
const kafka = createKafka('fil-relay-notify-test');
const outbox = new Outbox(service);
let relay: OutboxRelay;

const commit = (key: string) => orm.em.fork().transactional((em) => outbox.add(em, { topic: Topics.ordersEvents, key, type: 'Committed', data: { key } }));
const published = (key: string) => probe.waitForMessage(Topics.ordersEvents, (m) => m.key === key);

/** The relay's listening backend, once it has sent its LISTEN. */
async function listener(): Promise<number | undefined> {
  const rows = await orm.em.fork().execute<{ pid: number }[]>(
    `select pid from pg_stat_activity where datname = current_database() and application_name = ? and state = 'idle' and query ilike 'listen %'`,
    [OUTBOX_LISTENER_NAME],
  );
  return rows[0]?.pid;
}

/**
 * A first row may be caught by the pass the relay makes when it (re)connects its listener;
 * the second commits after the first is in Kafka, when only a notification wakes the relay.
 */
async function expectPublishedAsCommitted(name: string): Promise<void> {
  await commit(`${name}-first`);
  await published(`${name}-first`);
  await commit(`${name}-second`);
  await published(`${name}-second`);
}

beforeAll(async () => {
  orm = await openMessagingDatabase(service);
  await probe.start([Topics.ordersEvents]);
  relay = new OutboxRelay(orm, kafka, { fallbackPollMs: FALLBACK_POLL_MS });
  await relay.start();
  await waitFor(listener, { what: 'the relay to listen' });
});

afterAll(async () => {
  await relay.stop();
  await probe.stop();
  await closeMessagingDatabase(orm, service);
});

describe('outbox relay woken by commits', () => {
  it('publishes rows as their transactions commit, with its fallback poll ten minutes away', async () => {
    await expectPublishedAsCommitted('woken');
  });

  it('publishes nothing of a transaction rolled back', async () => {
    await expect(
      orm.em.fork().transactional(async (em) => {
        await outbox.add(em, { topic: Topics.ordersEvents, key: 'rolled-back', type: 'Committed', data: { rolledBack: true } });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    // Same key, same partition, published in commit order: had the first been published, it would be seen before this one.
    await orm.em.fork().transactional((em) => outbox.add(em, { topic: Topics.ordersEvents, key: 'rolled-back', type: 'Committed', data: { rolledBack: false } }));
    await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'rolled-back');
    expect(probe.messages(Topics.ordersEvents, (m) => m.key === 'rolled-back').map((m) => m.value)).toEqual([{ rolledBack: false }]);
  });

  it('listens again after its connection is terminated, and publishes what commits meanwhile and after', async () => {
    const terminated = await listener();
    const [{ done }] = await orm.em.fork().execute<{ done: boolean }[]>('select pg_terminate_backend(?) as done', [terminated]);
    expect(done).toBe(true);
    await expectPublishedAsCommitted('reconnected');
    expect(await waitFor(listener, { what: 'the relay to listen again' })).not.toBe(terminated);
  });

  it('closes its listening connection when it stops', async () => {
    await relay.stop();
    await waitFor(async () => !(await orm.em.fork().execute('select 1 from pg_stat_activity where datname = current_database() and application_name = ?', [OUTBOX_LISTENER_NAME])).length, {
      what: 'the listening connection to close',
    });
  });
});
