import { randomBytes } from 'node:crypto';
import { Topics } from '@fil/contracts';
import { dropDatabase } from '@fil/persistence';
import { FilSystem, http, KafkaProbe, SERVICE_NAMES, waitFor } from '@fil/testing';
import { ChaosBroker } from './chaos-broker';
import { everyGroupHas, groupsServed } from './consumer-groups';
import { runJourney, type TrackedOrder } from './journey';
import { Ledger } from './ledger';
import { mixedOrder, NETWORK, SKUS, STOCK, type Plan } from './mixed-orders';
import type { Phase } from './phase';
import { serviceDatabase } from './service-databases';

/** Everything a run has running, and what it did so far. */
export interface World {
  broker: ChaosBroker;
  system: FilSystem;
  probe: KafkaProbe;
  ledger: Ledger;
  /** Every order of the run, all phases. */
  orders: TrackedOrder[];
  restocked: Map<string, number>;
  /** Keys of the unreadable messages the suite sent on purpose: the only thing the DLQ may hold. */
  garbage: Set<string>;
  tag: string;
  restoreBrokers?: () => void;
}

/** Topics the suite watches: answers, staff work, refunds and dead letters, plus the internal commands (to count what the relays send twice). */
export const WATCHED = [Topics.ordersEvents, Topics.fulfillmentEvents, Topics.refunds, Topics.dlq, Topics.inventoryCommands, Topics.inventoryEvents, Topics.fulfillmentCommands];

/** A run's world before anything runs: its broker's ports and data directory are chosen. */
export async function newWorld(): Promise<World> {
  const tag = randomBytes(3).toString('hex');
  const placeholder = undefined as never;
  return { broker: await ChaosBroker.create(tag), system: new FilSystem(), probe: placeholder, ledger: placeholder, orders: [], restocked: new Map(), garbage: new Set(), tag };
}

/**
 * Starts the suite's own broker, the four services on it (FIL_TOPIC_PREFIX and
 * FIL_DB_PREFIX must be set), with `secondInstances` a second instance of each in its
 * consumer group, the probe, and seeds the network and its stock; returns once the
 * orchestrator's view of that stock is complete.
 */
export async function startWorld(world: World, log: (line: string) => void, secondInstances = false): Promise<void> {
  const { broker } = world;
  log(`chaos broker: starting on ${broker.address} (data in ${broker.dir})`);
  await broker.up();
  // Until stopWorld: whatever this process creates afterwards (probe, services) talks to the suite's broker only.
  const before = process.env.KAFKA_BROKERS;
  world.restoreBrokers = () => (before === undefined ? delete process.env.KAFKA_BROKERS : (process.env.KAFKA_BROKERS = before));
  process.env.KAFKA_BROKERS = broker.address;
  world.probe = new KafkaProbe();
  await groupsServed(world.probe.kafka);
  world.ledger = new Ledger(world.probe);
  await world.probe.start(WATCHED);
  log('services: starting');
  // No write limit: the suite's staff token does far more than a person would.
  await world.system.start({ FIL_TRACING: 'off', FIL_LOG_LEVEL: 'warn', FIL_WRITE_RATE_LIMIT: '1000000', FIL_DB_POOL: '6' });
  if (secondInstances) {
    log('services: starting a second instance of each');
    await Promise.all(SERVICE_NAMES.map((service) => world.system.startSecond(service)));
    // Both members hold their partitions before the first message, so that each consumes from the start.
    await everyGroupHas(world.probe.kafka, 2);
  }
  const inventory = world.system.url('inventory');
  for (const { id, ...location } of NETWORK) await expectOk(http('PUT', `${inventory}/locations/${id}`, location));
  for (const [locationId, sku, onHand] of STOCK) await expectOk(http('PUT', `${inventory}/locations/${locationId}/stock/${sku}`, { onHand, safetyStock: 0 }));
  // Orders routed on a view that has not caught up are refused (a known issue): the load starts once it has.
  await waitFor(async () => (await http('GET', `${world.system.url('order-orchestrator')}/availability?skus=${SKUS.join(',')}`)).body?.length === STOCK.length, {
    timeoutMs: 60_000,
    what: "the orchestrator's view of the seeded stock",
  });
}

/** Stops what the run started, by pid, and drops its databases. */
export async function stopWorld(world: World | undefined, log: (line: string) => void): Promise<void> {
  if (!world) return;
  await world.system.stop().catch((error) => log(`stopping the services: ${error.message}`));
  await world.probe?.stop().catch(() => undefined);
  await world.broker.remove().catch((error) => log(`removing the chaos broker: ${error.message}`));
  world.restoreBrokers?.();
  for (const service of SERVICE_NAMES) await dropDatabase(serviceDatabase(service)).catch((error) => log(`dropping ${serviceDatabase(service)}: ${error.message}`));
}

/**
 * The run's next order, planned from `mix`, tracked in the world and the phase, and driven to its end
 * by its journey; `ended` resolves when the journey did, its error noted on the order.
 */
export function startJourney(world: World, phase: Phase, mix: Plan[] | undefined, timeoutMs: number): { tracked: TrackedOrder; ended: Promise<void> } {
  const n = world.orders.length;
  const orderId = `CH-${world.tag}-${n}`;
  const tracked: TrackedOrder = { orderId, phase: phase.fault, ...mixedOrder(n, orderId, mix) };
  world.orders.push(tracked);
  phase.orders.push(tracked);
  const context = {
    probe: world.probe,
    ledger: world.ledger,
    url: world.system.url.bind(world.system),
    restocked: world.restocked,
    deadline: Date.now() + timeoutMs,
    stepDone: phase.stepDone.bind(phase),
  };
  return { tracked, ended: runJourney(tracked, context).catch((error: Error) => void (tracked.error = error.message)) };
}

async function expectOk(request: Promise<{ status: number; body: unknown }>): Promise<void> {
  const { status, body } = await request;
  if (status >= 300) throw new Error(`seeding failed: ${status} ${JSON.stringify(body)}`);
}
