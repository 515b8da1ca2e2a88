import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { Topics } from '@fil/contracts';
import { SERVICE_NAMES, waitFor } from '@fil/testing';
import { Checker } from './checks';
import { newWorld, startJourney, startWorld, stopWorld, WATCHED, type World } from './chaos-world';
import { consumerGroups, type GroupUse } from './consumer-groups';
import type { Fault } from './faults';
import type { Plan } from './mixed-orders';
import { Phase } from './phase';

export interface ChaosOptions {
  faults: Fault[];
  /** Orders submitted per second, all through each phase. */
  rate: number;
  /** The plans the load cycles through (mixed-orders' MIX by default). */
  mix?: Plan[];
  /** A second instance of every service, in its consumer group, all through the run. */
  secondInstances?: boolean;
  /** Load before the fault is injected, and after it is healed. */
  beforeMs: number;
  afterMs: number;
  /** How long one order's journey may take before it counts as lost. */
  journeyTimeoutMs: number;
  /** How long stock, reservations and fulfillments may take to agree once every order ended. */
  settleMs: number;
  log: (line: string) => void;
}

/** One row of the report. */
export interface PhaseSummary {
  fault: string;
  sent: number;
  answered: number;
  lost: number;
  doubles: number;
  sentTwice: number;
  downSeconds?: number;
  recoverySeconds?: number;
  answerP50?: number;
  answerP95?: number;
  notes: string[];
  failures: string[];
}

export interface ChaosReport {
  phases: PhaseSummary[];
  /** Each service's consumer group at the end of the run. */
  groups: GroupUse[];
  machine: string;
  passed: boolean;
  markdown: string;
}

/** What the short forms in npm test share (e2e/chaos.test.ts, e2e/scale-out.test.ts): their deadlines and silence. */
export const SHORT_FORM = { journeyTimeoutMs: 90_000, settleMs: 10_000, log: () => undefined } satisfies Partial<ChaosOptions>;

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Runs the fault suite: the suite's own broker and the four services, a steady load
 * of mixed orders, and one fault at a time; after each, the load stops, every order
 * of the phase is driven to its end and the checks run over the whole run.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log } = options;
  const loadAtStart = loadavg();
  const phases: PhaseSummary[] = [];
  let groups: GroupUse[] = [];
  const world = await newWorld();
  const suiteLog = quietKafkaClient();
  try {
    await startWorld(world, log, options.secondInstances);
    const checker = new Checker(world, options.settleMs);
    for (const fault of options.faults) {
      const phase = new Phase(fault.name);
      log(`${fault.name}: ${options.rate} orders/s`);
      const load = startLoad(world, phase, options);
      await sleep(options.beforeMs);
      if (!fault.baseline) phase.injectedAt = Date.now();
      await fault.inject(world, phase).catch(async (error: Error) => {
        phase.failures.push(`the fault could not be injected or healed: ${error.message}`);
        await heal(world);
      });
      if (!fault.baseline) phase.healedAt = Date.now();
      log(`${fault.name}: healed`);
      await sleep(options.afterMs);
      await load.stop();
      log(`${fault.name}: every order of the phase ended or timed out; checking`);
      await sendGarbage(world, phase);
      const counts = await checker.check(phase).catch((error: Error) => {
        phase.failures.push(`the checks could not run: ${error.message}`);
        return { answered: 0, lost: phase.orders.length };
      });
      const summary = summarize(phase, counts);
      phases.push(summary);
      log(`${fault.name}: ${summary.sent} sent, ${summary.answered} answered, ${summary.lost} lost, ${summary.doubles} double effects, ${summary.failures.length} other failures`);
    }
    groups = await consumerGroups(world.probe.kafka);
  } finally {
    await stopWorld(world, log);
    writeRunLogs(world, suiteLog.restore());
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${loadAtStart.map((n) => n.toFixed(1)).join(' ')} at the start, ${loadavg().map((n) => n.toFixed(1)).join(' ')} at the end`;
  const passed = phases.length === options.faults.length && phases.every((phase) => phase.lost === 0 && phase.doubles === 0 && !phase.failures.length);
  return { phases, groups, machine, passed, markdown: markdown(phases, machine, options) };
}

/** Submits orders at the rate until stopped; `stop` waits for every journey of the phase to end. */
function startLoad(world: World, phase: Phase, options: ChaosOptions): { stop: () => Promise<void> } {
  let running = true;
  const journeys: Promise<void>[] = [];
  const started = Date.now();
  const loop = (async () => {
    for (let i = 0; running; i += 1) {
      const due = started + (i * 1000) / options.rate;
      if (due > Date.now()) await sleep(due - Date.now());
      if (!running) return;
      journeys.push(startJourney(world, phase, options.mix, options.journeyTimeoutMs).ended);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await Promise.all(journeys);
    },
  };
}

/** One unreadable message per phase: it must reach the DLQ, and nothing else may. */
async function sendGarbage(world: World, phase: Phase): Promise<void> {
  const key = `GARBAGE-${world.garbage.size + 1}`;
  try {
    await world.probe.send(Topics.ordersSubmitted, key, 'chaos: this is not JSON {');
    world.garbage.add(key);
    await waitFor(() => world.ledger.of(Topics.dlq, key).length, { timeoutMs: 60_000, what: `${key} in the DLQ` });
  } catch (error) {
    phase.failures.push(`the unreadable message ${key}: ${(error as Error).message}`);
  }
}

/** After a fault that failed half-way: whatever it left down is started again, so that the next phases can run. */
async function heal(world: World): Promise<void> {
  if (!world.broker.pid()) await world.broker.up();
  for (const service of SERVICE_NAMES) if (!world.system.running(service)) await world.system.restart(service);
}

function summarize(phase: Phase, { answered, lost }: { answered: number; lost: number }): PhaseSummary {
  const latencies = phase.orders
    .filter((order) => order.sentAt && order.answeredAt)
    .map((order) => order.answeredAt! - order.sentAt!)
    .sort((a, b) => a - b);
  const percentile = (p: number) => (latencies.length ? Math.max(0, latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]) : undefined);
  return {
    fault: phase.fault,
    sent: phase.orders.filter((order) => order.sentAt).length,
    answered,
    lost,
    doubles: phase.doubles.length,
    sentTwice: phase.sentTwice,
    downSeconds: phase.downSeconds,
    recoverySeconds: phase.recoverySeconds,
    answerP50: percentile(50),
    answerP95: percentile(95),
    notes: phase.notes,
    failures: [...phase.doubles.map((double) => `double effect: ${double}`), ...phase.failures],
  };
}

function markdown(phases: PhaseSummary[], machine: string, options: ChaosOptions): string {
  const seconds = (value?: number) => (value === undefined ? '–' : value.toFixed(1));
  const rows = phases.map((p) =>
    [p.fault, p.sent, p.answered, p.lost, p.doubles, p.sentTwice, seconds(p.downSeconds), seconds(p.recoverySeconds), `${p.answerP50 ?? '–'} / ${p.answerP95 ?? '–'}`, p.failures.length ? 'FAIL' : 'pass'].join(' | '),
  );
  const details = phases.flatMap((p) => [...p.notes.map((note) => `- ${p.fault}: ${note}`), ...p.failures.map((failure) => `- ${p.fault}: **${failure}**`)]);
  return [
    `Machine: ${machine}`,
    `Load: ${options.rate} orders/s, ${options.beforeMs / 1000} s before each fault and ${options.afterMs / 1000} s after it is healed`,
    '',
    '| fault | orders sent | answered | lost | double effects | copies Kafka holds twice | down (s) | recovered after (s) | answer p50 / p95 (ms) | result |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
    '',
    ...details,
  ].join('\n');
}

/**
 * The suite's own Kafka client logs every failed send while the broker is down (the
 * kafkajs logger writes JSON lines to stdout): kept for the run's log files instead.
 */
function quietKafkaClient(): { restore: () => string[] } {
  const write = process.stdout.write;
  const kept: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk === 'string' && chunk.includes('"context":"kafkajs.')) return kept.push(chunk) > 0;
    return write.call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
  return {
    restore: () => {
      process.stdout.write = write;
      return kept;
    },
  };
}

/** The services' own output and what the probe read from Kafka, of the last run, for reading after a failure. */
function writeRunLogs(world: World, suiteLog: string[]): void {
  const dir = resolve(__dirname, '../.local/chaos/last-run');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [instance, lines] of world.system.output) writeFileSync(`${dir}/${instance}.log`, `${lines.join('\n')}\n`);
  writeFileSync(`${dir}/suite.log`, suiteLog.join(''));
  if (!world.ledger) return;
  const messages = WATCHED.flatMap((topic) => world.ledger.all(topic)).map(({ topic, partition, offset, timestamp, key, headers, value }) => JSON.stringify({ topic, partition, offset, timestamp, key, type: headers.ce_type, id: headers.ce_id, value }));
  writeFileSync(`${dir}/kafka.jsonl`, `${messages.join('\n')}\n`);
}
