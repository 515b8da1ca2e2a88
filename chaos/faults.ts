import { serviceSource, Topics } from '@fil/contracts';
import { physicalTopic } from '@fil/messaging';
import { SERVICE_NAMES, waitFor, type ServiceName } from '@fil/testing';
import { startJourney, WATCHED, type World } from './chaos-world';
import { HOT_SKU, HOT_STOCK } from './mixed-orders';
import type { Phase } from './phase';
import { connectTo, serviceDatabase, serviceId } from './service-databases';

/** One fault: `inject` breaks something while the load runs and returns once it is healed. */
export interface Fault {
  name: string;
  inject(world: World, phase: Phase): Promise<void>;
  /** No fault at all: nothing is down, nothing to recover from. */
  baseline?: true;
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** No fault: the same load and checks, for the machine's own figures in the same run. */
export const noFault = (seconds = 5): Fault => ({
  name: 'none (baseline)',
  inject: () => sleep(seconds * 1000),
  baseline: true,
});

/** `kill -9` of one service, started again `downMs` later. */
export const killService = (service: ServiceName, downMs = 3_000): Fault => ({
  name: `kill -9 ${service}`,
  async inject(world) {
    await world.system.kill(service);
    await sleep(downMs);
    await world.system.restart(service);
  },
});

/**
 * Inventory gone longer than the saga waits for an answer (FIL_SAGA_STEP_TIMEOUT_MS × FIL_SAGA_MAX_ATTEMPTS,
 * 90 s by default): the orders it holds up wait in NEEDS_ATTENTION and come back by themselves.
 */
export const inventoryDownPastDeadlines = (downMs = 100_000): Fault => ({ ...killService('inventory', downMs), name: "inventory down past the saga's deadlines" });

/** `kill -9` of the (suite's own) Kafka broker, started again `downMs` later on its data. */
export const killBroker = (downMs = 10_000): Fault => ({
  name: 'kill -9 Kafka broker',
  async inject(world) {
    await world.broker.kill();
    await sleep(downMs);
    await world.broker.up();
  },
});

/** Every connection to this run's four databases terminated (`pg_terminate_backend`), again and again for `seconds`. */
export const cutDatabaseConnections = (seconds = 5): Fault => ({
  name: `PostgreSQL connections terminated for ${seconds} s`,
  async inject(world, phase) {
    const databases = SERVICE_NAMES.map(serviceDatabase);
    const admin = await connectTo();
    let terminated = 0;
    try {
      for (const end = Date.now() + seconds * 1000; Date.now() < end; await sleep(100)) {
        const { rows } = await admin.query(
          'select count(*) filter (where pg_terminate_backend(pid)) as n from pg_stat_activity where datname = any($1::text[]) and pid <> pg_backend_pid()',
          [databases],
        );
        terminated += Number(rows[0].n);
      }
    } finally {
      await admin.end();
    }
    phase.notes.push(`${terminated} connections terminated`);
  },
});

/**
 * The relay of `service` killed after Kafka acknowledged a batch and before the rows are
 * marked published. Without a hook in the relay, the suite holds a share lock on the
 * oldest unpublished outbox rows: the relay reads them (a plain select), sends them, and
 * its UPDATE then waits on the lock, which pg_stat_activity shows. That is the moment of
 * the `kill -9`; the rows stay unpublished and the restarted relay sends them again.
 */
export const killRelayBetweenSendAndMark = (service: ServiceName): Fault => ({
  name: `${service}'s relay killed between send and mark`,
  async inject(world, phase) {
    const database = serviceDatabase(service);
    const holder = await connectTo(database);
    const observer = await connectTo();
    let held: { message_id: string; topic: string }[] = [];
    try {
      await holder.query('begin');
      held = await waitFor(
        async () => {
          const { rows } = await holder.query(
            'select message_id, topic from outbox_message where published_at is null and topic = any($1::text[]) order by id limit 20 for share skip locked',
            [WATCHED],
          );
          return rows.length ? rows : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 5, what: `unpublished outbox rows in ${database}` },
      );
      const marking = await waitFor(
        async () =>
          (
            await observer.query<{ pid: number }>(
              "select pid from pg_stat_activity where datname = $1 and wait_event_type = 'Lock' and query ilike 'update outbox_message%'",
              [database],
            )
          ).rows[0]?.pid,
        { timeoutMs: 15_000, intervalMs: 10, what: `${service}'s relay to wait on the mark after sending` },
      );
      await world.system.kill(service);
      // The mark is a statement of its own: released now, it would still commit. Its backend ends once it sees its client gone.
      await waitFor(async () => !(await observer.query('select 1 from pg_stat_activity where pid = $1', [marking])).rowCount, {
        timeoutMs: 15_000,
        what: `the backend of ${service}'s killed relay to end`,
      });
    } finally {
      await holder.query('rollback').catch(() => undefined);
      await holder.end().catch(() => undefined);
      await observer.end().catch(() => undefined);
    }
    await world.system.restart(service);
    // Rows the relay had not read yet when it stopped are sent once; those of the stopped batch, twice.
    const source = serviceSource(serviceId(service));
    const twice = () => held.filter(({ topic, message_id }) => world.ledger.copiesOf(topic, source, message_id) >= 2).length;
    await waitFor(twice, { timeoutMs: 60_000, what: 'a held message on Kafka a second time' }).then(
      () => {
        const topics = [...new Set(held.map(({ topic }) => topic))].join(', ');
        phase.notes.push(`relay stopped on its mark after Kafka's acknowledgement and killed; ${twice()} of the ${held.length} held message(s) (${topics}) were sent again after the restart`);
      },
      () =>
        phase.failures.push(
          `no message held between send and mark was seen twice on Kafka: ${held.map(({ topic, message_id }) => `${topic} ${message_id} × ${world.ledger.copiesOf(topic, source, message_id)}`).join(', ')}`,
        ),
    );
  },
});

/** `service` stopped, its consumer group moved back an hour (the whole run), started again: everything is consumed twice. */
export const replayLastHour = (service: ServiceName): Fault => ({
  name: `${service}'s consumer group replays the last hour`,
  async inject(world, phase) {
    await world.system.kill(service, 'SIGTERM');
    const groupId = physicalTopic(`fil.${serviceId(service)}`);
    const admin = world.probe.kafka.admin();
    await admin.connect();
    try {
      await waitFor(async () => ['Empty', 'Dead'].includes((await admin.describeGroups([groupId])).groups[0].state), { what: `${groupId} to be empty` });
      let replayed = 0;
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
        const from = await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - 3_600_000);
        for (const { partition, offset } of from) replayed += Math.max(0, Number(partitions.find((p) => p.partition === partition)?.offset ?? 0) - Number(offset));
        await admin.setOffsets({ groupId, topic, partitions: from });
      }
      phase.notes.push(`${replayed} messages consumed a second time by ${groupId}`);
    } finally {
      await admin.disconnect();
    }
    await world.system.restart(service);
  },
});

/** A second instance of `service` joins its consumer group under load, stays `stayMs`, and leaves: two rebalances mid-batch. */
export const secondInstance = (service: ServiceName, stayMs = 8_000): Fault => ({
  name: `a second ${service} joins and leaves`,
  async inject(world, phase) {
    const groupId = physicalTopic(`fil.${serviceId(service)}`);
    const admin = world.probe.kafka.admin();
    await admin.connect();
    const members = async (count: number) => (await admin.describeGroups([groupId])).groups[0].members.length === count;
    try {
      const second = await world.system.startSecond(service);
      await waitFor(() => members(2), { timeoutMs: 30_000, what: `${groupId} to have two members` });
      await sleep(stayMs);
      await world.system.kill(second, 'SIGTERM');
      await waitFor(() => members(1), { timeoutMs: 30_000, what: `${groupId} to be back to one member` });
      phase.notes.push(`${groupId} went from one member to two and back`);
    } finally {
      await admin.disconnect();
    }
  },
});

/**
 * No fault, but a race: `orders` e-reservations of the hot SKU submitted at once, beside the load.
 * Their answers must allocate the store's stock exactly: more is an oversell, less a refusal while
 * stock was left.
 */
export const hotSkuRace = (orders: number, journeyTimeoutMs = 90_000): Fault => ({
  name: `${orders} e-reservations race for ${HOT_STOCK} × ${HOT_SKU}`,
  baseline: true,
  async inject(world, phase) {
    const racing = Array.from({ length: orders }, () => startJourney(world, phase, ['reserve-hot'], journeyTimeoutMs));
    await Promise.all(racing.map(({ ended }) => ended));
    const answers = racing.map(({ tracked }) => world.ledger.of(Topics.ordersEvents, tracked.orderId).find((m) => m.value?.previousStatus === 'RECEIVED'));
    const allocated = answers
      .flatMap((answer) => answer?.value.allocations ?? [])
      .flatMap(({ lines }: { lines: { sku: string; quantity: number }[] }) => lines)
      .filter(({ sku }) => sku === HOT_SKU)
      .reduce((sum, { quantity }) => sum + quantity, 0);
    phase.notes.push(`${allocated} × ${HOT_SKU} allocated to ${orders} orders racing for ${HOT_STOCK}`);
    if (allocated > HOT_STOCK) phase.failures.push(`oversold: the answers allocate ${allocated} × ${HOT_SKU}, the store holds ${HOT_STOCK}`);
    if (allocated < HOT_STOCK) phase.failures.push(`the answers allocate ${allocated} × ${HOT_SKU} to ${orders} orders, though the store holds ${HOT_STOCK}`);
  },
});

/** The whole suite, one fault at a time. */
export function allFaults(): Fault[] {
  return [
    noFault(),
    ...SERVICE_NAMES.map((service) => killService(service)),
    inventoryDownPastDeadlines(),
    killBroker(),
    cutDatabaseConnections(),
    ...SERVICE_NAMES.map((service) => killRelayBetweenSendAndMark(service)),
    ...SERVICE_NAMES.map((service) => replayLastHour(service)),
    ...SERVICE_NAMES.map((service) => secondInstance(service)),
  ];
}
