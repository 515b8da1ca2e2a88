// `npm run bench:orders`: orders per second end to end, with the four services running as
// processes as in production, and the machine's own limits measured in the same run:
// 1. the machine: pgbench with reservation-shaped transactions, Kafka's own producer;
// 2. the Kafka client A/B (kafkajs against @platformatic/kafka);
// 3. a burst of two-line home-delivery orders, submitted on Kafka until their first answer
//    (`OrderAllocated`), with a CPU profile of the orchestrator over the burst (of the services
//    named in BENCH_PROFILE_SERVICES, comma-separated) and the CPU time of each service's process
//    from the burst's start until the system is quiet again;
// 4. a mixed burst: home delivery of 1–5 lines, click & collect with transfers,
//    e-reservations, 5 % cancelled once answered;
// 5. a steady offered load on the warm system (latency p50/p95/p99, per hop, and the CPU of
//    each process from its start until quiet; profiled as the burst is when it runs alone);
// 6. a search for the highest steady rate whose p99 stays under the target.
// Prints a Markdown report; knobs are in docs/benchmarks.md. BENCH_ORDERS=0 runs the steady
// load alone on an idle system (as `npm run bench:routing` does) unless other phases are asked for.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { FIL_SERVICES, Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { deleteRunTopics, FilSystem, KafkaProbe, SERVICE_NAMES, useTestEnvironment, type ServiceName } from '@fil/testing';
import { INSPECTOR_OPTIONS, InspectorProfiler } from './cpu-profile';
import { compareKafkaClients, kafkaClientsOptions, kafkaClientsTable, type ClientFigures } from './kafka-clients.bench';
import { pgbenchReservations, producerPerformance, type PgbenchResult, type ProducerPerfResult } from './machine-limits';
import { benchSettings, describeMachine, enabled, knob, round } from './measure';
import { mixedOrder, setUpNetwork, twoLineOrder } from './order-load';
import { hopMedians, OrderPhases, type BurstResult, type SteadyResult } from './order-phases';
import { OrderTracker } from './order-tracker';
import { CpuWindow, pidsNamed, pidsRunning } from './process-cpu';
import { profileTables } from './profile-summary';

const ORDERS = knob('BENCH_ORDERS', 10_000);
// Without the burst, only the steady load runs unless a phase is asked for by name.
const full = ORDERS > 0;
const MIXED = knob('BENCH_MIXED', full ? 10_000 : 0);
const RATE = knob('BENCH_RATE', 500);
const SECONDS = knob('BENCH_SECONDS', 60);
const SEARCH = enabled('BENCH_SEARCH', full);
const LIMITS = enabled('BENCH_LIMITS', full);
const AB = enabled('BENCH_AB', full);
const PROFILE_DIR = enabled('BENCH_PROFILE', full) ? resolve(process.env.BENCH_PROFILE && !/^(on|1|true)$/i.test(process.env.BENCH_PROFILE) ? process.env.BENCH_PROFILE : '.local/bench') : undefined;
const PROFILED = (process.env.BENCH_PROFILE_SERVICES || 'order-orchestrator').split(',') as ServiceName[];
const P99_TARGET_MS = knob('BENCH_P99_TARGET_MS', 250);
const STALL_MS = knob('BENCH_STALL_SECONDS', 60) * 1000;
/** Services run as two instances in their consumer group, on the same machine (e.g. `order-orchestrator`). */
const SECOND_INSTANCES = (process.env.BENCH_SECOND_INSTANCES ?? '').split(',').filter(Boolean) as ServiceName[];

interface Report {
  limits?: { pgbench: PgbenchResult[]; kafka: ProducerPerfResult };
  clients?: ClientFigures[];
  burst?: BurstResult;
  profiles?: { service: ServiceName; phase: string; file: string; tables: string[] }[];
  /** CPU of every process over a phase and until quiet after it: the burst, and the steady load. */
  cpu: { phase: string; orders: number; seconds: number; processes: { name: string; ms?: number }[] }[];
  mixed?: BurstResult;
  steady?: SteadyResult;
  hops?: { hop: string; p50?: number }[];
  search?: { best?: number; tried: SteadyResult[] };
}

async function main() {
  const loadAtStart = loadavg();
  const startedAt = new Date();
  useTestEnvironment('bench-orders');
  const report: Report = { cpu: [] };
  const orderBytes = Buffer.byteLength(JSON.stringify(twoLineOrder('B-000000000000', 0).value));
  if (LIMITS) {
    console.error('machine limits: pgbench, then Kafka ProducerPerformance');
    report.limits = {
      pgbench: await pgbenchReservations(knob('BENCH_PGBENCH_CLIENTS', 16), knob('BENCH_PGBENCH_SECONDS', 30)),
      kafka: await producerPerformance(knob('BENCH_KAFKA_RECORDS', 100_000), orderBytes),
    };
  }
  if (AB) {
    console.error('Kafka client A/B');
    const sample = JSON.stringify(twoLineOrder('B-000000000000', 0).value);
    report.clients = await compareKafkaClients(kafkaClientsOptions(() => sample));
    console.error(kafkaClientsTable(report.clients).join('\n'));
  }

  const system = new FilSystem();
  const probe = new KafkaProbe();
  const tracker = new OrderTracker(probe);
  await probe.start([Topics.ordersEvents, Topics.inventoryCommands, Topics.inventoryEvents]);
  const childOptions: Record<string, string> = PROFILE_DIR ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${INSPECTOR_OPTIONS}`.trim() } : {};
  await system.start({ FIL_TRACING: 'off', FIL_LOG_LEVEL: 'warn', ...childOptions });
  try {
    for (const service of SECOND_INSTANCES) await system.startSecond(service);
    // The groups settle (every member rejoins at its next heartbeat) before anything is measured.
    if (SECOND_INSTANCES.length) await new Promise((settled) => setTimeout(settled, 10_000));
    await setUpNetwork(system);
    const phases = new OrderPhases(probe, tracker, STALL_MS);
    if (ORDERS > 0) {
      console.error(`burst of ${ORDERS} two-line orders`);
      const cpu = cpuOfEveryProcess(system);
      const cpuFrom = Date.now();
      cpu.start();
      report.burst = await profiled(system, report, 'burst', startedAt, () => phases.burst('B', twoLineOrder, ORDERS));
      // Fulfillments and the returns' views follow the answers: their work is done once the system is quiet.
      await phases.waitQuiet();
      report.cpu.push({ phase: "the burst's start", orders: report.burst.answered, seconds: (Date.now() - cpuFrom) / 1000, processes: cpu.stop() });
    }
    if (MIXED > 0) {
      await phases.waitQuiet();
      console.error(`mixed burst of ${MIXED} orders`);
      report.mixed = await phases.burst('M', mixedOrder, MIXED);
    }
    if (RATE > 0 && SECONDS > 0) {
      await phases.waitQuiet();
      // Warm: the broker's JIT and every connection pool in use before the measure.
      await phases.steady('W', twoLineOrder, Math.min(RATE, 20), knob('BENCH_WARMUP_SECONDS', 5));
      await phases.waitQuiet();
      console.error(`steady load: ${RATE} orders/s for ${SECONDS} s`);
      const cpu = cpuOfEveryProcess(system);
      const cpuFrom = Date.now();
      cpu.start();
      // Profiled when it is the only phase: a low rate's cost per order is not a burst's.
      const steady = () => phases.steady('S', twoLineOrder, RATE, SECONDS);
      report.steady = full ? await steady() : await profiled(system, report, `steady-${RATE}`, startedAt, steady);
      report.hops = hopMedians(probe, report.steady.dueAt, tracker);
      await phases.waitQuiet();
      report.cpu.push({ phase: `the steady load's start (${RATE} orders/s)`, orders: report.steady.sent, seconds: (Date.now() - cpuFrom) / 1000, processes: cpu.stop() });
    }
    if (SEARCH) {
      console.error(`searching the highest rate with p99 under ${P99_TARGET_MS} ms`);
      report.search = await phases.searchRate(twoLineOrder, {
        from: knob('BENCH_SEARCH_FROM', 50),
        seconds: knob('BENCH_SEARCH_SECONDS', 20),
        steps: knob('BENCH_SEARCH_STEPS', 6),
        p99Ms: P99_TARGET_MS,
        between: () => phases.waitQuiet(),
      });
    }
    // An order a phase gave up on may still be answered: it is late, not lost, if it is by the end.
    const missing = [report.burst?.lost, report.mixed?.lost, report.steady?.lost, ...(report.search?.tried.map((t) => t.lost) ?? [])].flatMap((ids) => ids ?? []);
    await tracker.settle(missing, (answer) => answer !== undefined, STALL_MS);
  } finally {
    if (process.env.BENCH_DUMP_LOGS) {
      for (const [service, lines] of system.output) console.error(lines.map((line) => `${service} ${line}`).join('\n'));
    }
    await system.stop();
    await probe.stop();
    // What the run made on the shared broker and database server goes with it.
    await deleteRunTopics(process.env.FIL_TOPIC_PREFIX!).catch((error: Error) => console.error(`topics of the run left: ${error.message}`));
    for (const service of FIL_SERVICES) await dropDatabase(databaseName(service)).catch((error: Error) => console.error(`database ${databaseName(service)} left: ${error.message}`));
  }
  // What is still unanswered at the end of the run is lost; what was answered after its phase gave up is late.
  const unanswered = (ids: string[]) => ids.filter((id) => !tracker.answer(id));
  for (const result of [report.burst, report.mixed, report.steady, ...(report.search?.tried ?? [])]) {
    if (!result) continue;
    result.late = result.lost.length - unanswered(result.lost).length;
    result.lost = unanswered(result.lost);
  }
  for (const burst of [report.burst, report.mixed]) if (burst) burst.cancelsLost = burst.cancelsLost.filter((id) => tracker.answer(id)?.cancelledAt === undefined);
  console.log(markdown(report, startedAt, describeMachine(loadAtStart), orderBytes).join('\n'));
  const lost = [report.burst, report.mixed].reduce((sum, burst) => sum + (burst ? burst.lost.length + burst.cancelsLost.length : 0), report.steady?.lost.length ?? 0);
  if (lost) process.exitCode = 1;
}

/** Runs `phase` under a CPU profile of each service in BENCH_PROFILE_SERVICES when profiles are asked for. */
async function profiled<T>(system: FilSystem, report: Report, phase: string, startedAt: Date, run: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return run();
  const profilers = await Promise.all(PROFILED.map((service) => InspectorProfiler.attach(system, service)));
  for (const profiler of profilers) await profiler.start();
  const result = await run();
  report.profiles ??= [];
  for (const [index, profiler] of profilers.entries()) {
    const profile = await profiler.stop();
    profiler.close();
    mkdirSync(PROFILE_DIR, { recursive: true });
    const file = join(PROFILE_DIR, `${PROFILED[index].replace('order-', '')}-${phase}-${startedAt.toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    report.profiles.push({ service: PROFILED[index], phase, file, tables: profileTables(profile as never) });
  }
  return result;
}

function markdown(report: Report, startedAt: Date, machine: string, orderBytes: number): string[] {
  const lines = [`Command: \`${benchSettings()}npm run bench:orders\` (${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)`, `Machine: ${machine}`, ''];
  const lateNote = ({ late }: { late?: number }) => (late ? `, ${late} answered only after the phase gave up (late; its figures leave them out)` : '');
  const statuses = (counts: Record<string, number>) => Object.entries(counts).map(([status, n]) => `${n} ${status}`).join(', ') || 'none';
  const fil = ['| measure | value |', '|---|---|'];
  const { burst, mixed, steady, search, limits } = report;
  if (burst) fil.push(`| burst of ${burst.orders} two-line home-delivery orders, submitted → allocated | ${round(burst.perSecond)} orders/s; ${burst.lost.length} lost${lateNote(burst)}; other answers: ${statuses(burst.unexpected)} |`);
  if (mixed) {
    fil.push(`| mixed burst of ${mixed.orders} orders (60 % home delivery of 1–5 lines, 25 % click & collect with transfer, 15 % e-reservation), submitted → first answer | ${round(mixed.perSecond)} orders/s; ${mixed.lost.length} lost${lateNote(mixed)}; other answers: ${statuses(mixed.unexpected)} |`);
    fil.push(`| mixed burst: cancelled once answered (CancelOrder) | ${mixed.cancels - mixed.cancelsLost.length} of ${mixed.cancels} CANCELLED |`);
  }
  if (steady) {
    const behind = steady.sendSeconds > steady.seconds * 1.05 ? ` (sending took ${steady.sendSeconds.toFixed(1)} s)` : '';
    fil.push(`| steady ${steady.rate} orders/s for ${steady.seconds} s${behind}, submitted → allocated, p50 / p95 / p99 | ${steady.p50 ?? '–'} / ${steady.p95 ?? '–'} / ${steady.p99 ?? '–'} ms; ${steady.lost.length} lost${lateNote(steady)} of ${steady.sent} |`);
    for (const { hop, p50 } of report.hops ?? []) fil.push(`| steady: ${hop}, p50 | ${p50 ?? '–'} ms |`);
  }
  if (search) fil.push(`| highest steady rate with p99 under ${P99_TARGET_MS} ms (${search.tried.length} rates of ${search.tried[0]?.seconds ?? '–'} s tried) | ${search.best === undefined ? 'none of those tried' : `${search.best} orders/s`} |`);
  lines.push('### Fil', '', ...fil, '');

  if (limits) {
    lines.push('### The machine, same run', '', '| measure | value |', '|---|---|');
    for (const { scenario, tps, latencyMs } of limits.pgbench) lines.push(`| pgbench, conditional UPDATE of a stock row + INSERT of a reservation; ${scenario} | ${round(tps)} transactions/s (latency ${latencyMs.toFixed(1)} ms) |`);
    const k = limits.kafka;
    lines.push(`| Kafka ProducerPerformance, ${k.records} records of ${k.recordBytes} bytes (a two-line order), acks=all, idempotent, 4 partitions | ${round(k.recordsPerSecond)} records/s (latency p50 ${k.p50Ms} ms, p99 ${k.p99Ms} ms) |`, '');
    const rows: [string, number][] = [];
    if (burst) rows.push(['two-line burst', burst.perSecond]);
    if (mixed) rows.push(['mixed burst', mixed.perSecond]);
    if (search?.best !== undefined) rows.push([`steady rate with p99 < ${P99_TARGET_MS} ms`, search.best]);
    if (rows.length) {
      const [hot, spread] = limits.pgbench;
      const ratio = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;
      lines.push('Fil as a share of the machine (an order takes at least one reservation and several Kafka messages):', '');
      lines.push('| Fil | orders/s | ÷ pgbench spread | ÷ pgbench hot | ÷ Kafka records/s |', '|---|---|---|---|---|');
      for (const [what, perSecond] of rows) lines.push(`| ${what} | ${round(perSecond)} | ${ratio(perSecond, spread.tps)} | ${ratio(perSecond, hot.tps)} | ${ratio(perSecond, k.recordsPerSecond)} |`);
      lines.push('');
    }
  }
  if (search) {
    lines.push('### Rate search', '', '| offered orders/s | sent | sending took (s) | p50 ms | p99 ms | lost or late | p99 under target |', '|---|---|---|---|---|---|---|');
    for (const t of search.tried) lines.push(`| ${t.rate} | ${t.sent} | ${t.sendSeconds.toFixed(1)} | ${t.p50 ?? '–'} | ${t.p99 ?? '–'} | ${t.lost.length + (t.late ?? 0)} | ${t.lost.length + (t.late ?? 0) === 0 && (t.p99 ?? Infinity) < P99_TARGET_MS ? 'yes' : 'no'} |`);
    lines.push('');
  }
  if (report.clients) {
    lines.push(`### Kafka clients A/B (${orderBytes}-byte messages, acks=all, idempotent producer, group consumer)`, '', ...kafkaClientsTable(report.clients), '');
  }
  for (const { phase, orders, seconds, processes } of report.cpu) {
    lines.push(`### CPU time per process, from ${phase} until quiet (${seconds.toFixed(1)} s, ${orders} orders)`, '', '| process | CPU s | CPU ms per order | cores busy |', '|---|---|---|---|');
    for (const { name, ms } of processes) {
      lines.push(ms === undefined ? `| ${name} | – | – | not found, so not in the total |` : `| ${name} | ${(ms / 1000).toFixed(1)} | ${(ms / orders).toFixed(2)} | ${(ms / 1000 / seconds).toFixed(2)} |`);
    }
    const all = processes.reduce((sum, { ms }) => sum + (ms ?? 0), 0);
    const missing = processes.some(({ ms }) => ms === undefined) ? ' (without what was not found)' : '';
    lines.push(`| **all of the above**${missing} | ${(all / 1000).toFixed(1)} | ${(all / orders).toFixed(2)} | ${(all / 1000 / seconds).toFixed(2)} of ${cpus().length} |`);
    lines.push('');
  }
  for (const profile of report.profiles ?? []) {
    lines.push(`### CPU profile of ${profile.service} during the ${profile.phase}`, '', `Flame graph: \`${profile.file}\` (Chrome DevTools › Performance › Load profile, or speedscope).`, '', ...profile.tables, '');
  }
  const lostLines = (what: string, ids: string[]) => (ids.length ? [`${what}: ${ids.length} lost: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''}`] : []);
  const lost = [
    ...lostLines('burst', burst?.lost ?? []),
    ...lostLines('mixed burst', mixed?.lost ?? []),
    ...lostLines('mixed burst cancellations', mixed?.cancelsLost ?? []),
    ...lostLines('steady load', steady?.lost ?? []),
    ...(search?.tried ?? []).flatMap((t) => lostLines(`search at ${t.rate}/s`, t.lost)),
  ];
  lines.push('### Lost orders (no answer by the end)', '', ...(lost.length ? lost : ['none']));
  return lines;
}

/** CPU time of the services, and of the database server, broker and this client beside them on the machine. */
function cpuOfEveryProcess(system: FilSystem): CpuWindow {
  return new CpuWindow(
    new Map<string, () => number[]>([
      ...SERVICE_NAMES.map((service) => [
        SECOND_INSTANCES.includes(service) ? `${service} (2 instances)` : service,
        () => [system.pid(service), ...(SECOND_INSTANCES.includes(service) ? [system.pid(`${service}#2`)] : [])],
      ] as const),
      ['PostgreSQL (every backend)', () => pidsNamed('postgres')],
      // Whoever started it: this checkout's infra script, another checkout's, or an operator.
      ['Kafka broker', () => pidsRunning('kafka.Kafka')],
      ['this benchmark (client)', () => [process.pid]],
    ]),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
