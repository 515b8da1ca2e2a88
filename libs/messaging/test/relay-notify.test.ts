import type { MikroORM } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import { closeMessagingDatabase, KafkaProbe, openMessagingDatabase, useTestEnvironment, waitFor } from '@fil/testing';
import { createKafka, Outbox, RELAY_CONNECTION_NAME, OutboxRelay } from '../src';

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

/** The backend of the relay at work: it listens, then takes the relay lock at its first pass. */
async function listener(): Promise<number | undefined> {
  const rows = await orm.em.fork().execute<{ pid: number }[]>(
    `select a.pid from pg_stat_activity a join pg_locks l on l.pid = a.pid and l.locktype = 'advisory' and l.granted
     where a.datname = current_database() and a.application_name = ?`,
    [RELAY_CONNECTION_NAME],
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
    await waitFor(async () => !(await orm.em.fork().execute('select 1 from pg_stat_activity where datname = current_database() and application_name = ?', [RELAY_CONNECTION_NAME])).length, {
      what: 'the listening connection to close',
    });
  });
});

describe('one relay at a time per service database', () => {
  it('leaves the outbox to the relay that holds the lock, and a second one takes over when the first stops', async () => {
    const first = new OutboxRelay(orm, kafka, { fallbackPollMs: FALLBACK_POLL_MS });
    let secondPasses = 0;
    const second = new OutboxRelay(orm, kafka, { fallbackPollMs: FALLBACK_POLL_MS, beforePublish: () => void (secondPasses += 1) });
    try {
      await first.start();
      await waitFor(listener, { what: 'the first relay to take the lock' });
      await second.start();
      await expectPublishedAsCommitted('first-relay');
      expect(secondPasses).toBe(0);
      await first.stop();
      await expectPublishedAsCommitted('second-relay');
      expect(secondPasses).toBeGreaterThan(0);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it('hands the outbox over when the relay holding the lock cannot publish, though its database connection is fine', async () => {
    let failures = 0;
    const cutOff = new OutboxRelay(orm, kafka, {
      fallbackPollMs: FALLBACK_POLL_MS,
      beforePublish: () => {
        failures += 1;
        throw new Error('this instance cannot reach the broker (test)');
      },
    });
    const healthy = new OutboxRelay(orm, kafka, { fallbackPollMs: FALLBACK_POLL_MS });
    try {
      await cutOff.start();
      await waitFor(listener, { what: 'the cut-off relay to take the lock' });
      await healthy.start();
      await commit('handed-over');
      await published('handed-over');
      expect(failures).toBeGreaterThan(0);
    } finally {
      await cutOff.stop();
      await healthy.stop();
    }
  });
});

describe('a relay whose passes keep failing', () => {
  it('stops without waiting out the pause before its next try', async () => {
    let failures = 0;
    const failing = new OutboxRelay(orm, kafka, {
      fallbackPollMs: FALLBACK_POLL_MS,
      beforePublish: () => {
        failures += 1;
        throw new Error('the broker is away (test)');
      },
    });
    // The relay of the tests above would hold the lock and leave this one nothing to do.
    await relay.stop();
    try {
      await failing.start();
      await commit('never-sent');
      // The pause after a failure doubles from 200 ms: after the fifth it is 3.2 s.
      await waitFor(() => failures >= 5, { what: 'five failed passes' });
      const stopped = failing.stop().then(() => 'stopped');
      const oneSecond = new Promise((resolve) => setTimeout(() => resolve('still pausing after a second'), 1_000));
      expect(await Promise.race([stopped, oneSecond])).toBe('stopped');
    } finally {
      await failing.stop();
    }
  });
});
