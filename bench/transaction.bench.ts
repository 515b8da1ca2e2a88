// `npm run bench:transaction`: what a consumer's transaction costs the process that runs it. A
// batch of one (five statements between BEGIN and COMMIT, in a consumer's span) through pg alone,
// through MikroORM, and through MikroORM with the OpenTelemetry pg instrumentation that gives each
// query a span; then a batch's 200 outgoing rows written as one JSON parameter, inlined into the
// SQL text by MikroORM or bound. Each variant runs in a process of its own (the instrumentation
// patches pg when it loads), the variants alternate over the rounds, and the table gives each
// one's median.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { benchSettings, describeMachine, knob, percentile, sleep } from './measure';
// pg and MikroORM are loaded by each variant, after the instrumentation that patches pg, if any.
import type * as Persistence from '@fil/persistence';

const VARIANTS = {
  pg: 'five statements: pg alone',
  orm: 'five statements: MikroORM',
  'orm+pg-spans': 'five statements: MikroORM, a span per query, none exported',
  'batch-inlined': "a batch's 200 outbox-like rows as one JSON parameter: `em.execute`, the value written into the SQL",
  'batch-bound': "the same: `executeBound`, the value a bind parameter",
} as const;
type Variant = keyof typeof VARIANTS;

const TRANSACTIONS = knob('BENCH_TRANSACTIONS', 3_000);
/** A pause before each transaction, as a consumer at a low rate idles between messages; 0 runs them back to back. */
const PACE_MS = knob('BENCH_PACE_MS', 0);
const ROUNDS = knob('BENCH_ROUNDS', 3);
const SERVICE = 'txbench';

/** A batch's outgoing messages, as a consumer's batch of 200 writes them in one statement. */
const BATCH_SQL = 'insert into bench_sink (id, headers, payload) select id, headers, payload from jsonb_to_recordset(?::jsonb) as t(id text, headers jsonb, payload text)';
const batchJson = (id: string) =>
  JSON.stringify(
    Array.from({ length: 200 }, (_, n) => ({
      id: `${id}-${n}`,
      headers: { ce_specversion: '1.0', ce_id: `${id}-${n}`, ce_type: 'OrderAllocated', ce_source: '/fil/orders', ce_time: new Date().toISOString(), traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` },
      payload: JSON.stringify({ orderId: `${id}-${n}`, status: 'ALLOCATED', lines: [{ sku: 'SKU-1', quantity: 1 }, { sku: 'SKU-2', quantity: 2 }], allocations: [{ kind: 'SHIP', locationId: 'WH-1', lines: [{ sku: 'SKU-1', quantity: 1 }] }] }),
    })),
  );

/** The statements of a consumer's batch of one: claim, read, write, update, outbox. */
const STATEMENTS: [sql: string, params: (id: string) => unknown[]][] = [
  ['insert into bench_tx (id, v) values ($1, 0)', (id) => [`${id}:claim`]],
  ['select v from bench_tx where id = $1', (id) => [`${id}:claim`]],
  ['insert into bench_tx (id, v) values ($1, 1)', (id) => [id]],
  ['update bench_tx set v = v + 1 where id = $1', (id) => [id]],
  ['insert into bench_tx (id, v) values ($1, 2)', (id) => [`${id}:out`]],
];

const persistence = (): Promise<typeof Persistence> => import('@fil/persistence');

async function benchDatabaseUrl(): Promise<string> {
  const { databaseName, databaseUrlOf } = await persistence();
  return databaseUrlOf(databaseName(SERVICE));
}

/** Runs `transaction` TRANSACTIONS times after a warm-up; µs of CPU and of wall time per transaction (the pauses left out of the wall time). */
async function measure(transaction: (id: string) => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  const run = `${process.pid}-${Date.now()}`;
  for (let n = 0; n < 300; n++) await transaction(`${run}-warm-${n}`);
  const cpuFrom = process.cpuUsage();
  let wall = 0;
  for (let n = 0; n < TRANSACTIONS; n++) {
    if (PACE_MS) await sleep(PACE_MS);
    const started = performance.now();
    await transaction(`${run}-${n}`);
    wall += performance.now() - started;
  }
  const cpu = process.cpuUsage(cpuFrom);
  return { cpu: (cpu.user + cpu.system) / TRANSACTIONS, wall: (wall * 1000) / TRANSACTIONS };
}

/** One variant, in this process: prints its figures as JSON for the parent. */
async function runVariant(variant: Variant): Promise<void> {
  if (variant === 'orm+pg-spans') {
    // What the services did with FIL_TRACING=off until the pg instrumentation went with the exporter.
    process.env.OTEL_TRACES_EXPORTER = 'none';
    const { NodeSDK } = await import('@opentelemetry/sdk-node');
    const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg');
    new NodeSDK({ serviceName: SERVICE, instrumentations: [new PgInstrumentation({ requireParentSpan: true })] }).start();
  }
  // After the SDK, so that the consumer's span is the SDK's when it runs.
  const { inTrace } = await import('@fil/observability');
  const inSpan = <T>(work: () => Promise<T>) => inTrace('consume bench', undefined, {}, work);
  const { Client } = await import('pg');
  if (variant === 'pg') {
    const client = new Client({ connectionString: await benchDatabaseUrl() });
    await client.connect();
    const figures = await measure((id) =>
      inSpan(async () => {
        await client.query('begin');
        for (const [sql, params] of STATEMENTS) await client.query(sql, params(id));
        await client.query('commit');
      }),
    );
    await client.end();
    process.stdout.write(JSON.stringify(figures));
    return;
  }
  const { MikroORM, EntitySchema } = await import('@mikro-orm/postgresql');
  const row = new EntitySchema({ name: 'BenchRow', tableName: 'bench_tx', properties: { id: { type: 'string', primary: true } } });
  const { ormOptions, executeBound } = await persistence();
  const orm = await MikroORM.init(ormOptions({ service: SERVICE, entities: [row as never], migrations: [] }));
  const work: (tx: typeof orm.em, id: string) => Promise<unknown> =
    variant === 'batch-inlined'
      ? (tx, id) => tx.execute(BATCH_SQL, [batchJson(id)])
      : variant === 'batch-bound'
        ? (tx, id) => executeBound(tx, BATCH_SQL, [batchJson(id)])
        : async (tx, id) => {
            for (const [sql, params] of STATEMENTS) await tx.execute(sql.replace(/\$\d/g, '?'), params(id));
          };
  const figures = await measure((id) => inSpan(() => orm.em.fork().transactional((tx) => work(tx, id))));
  await orm.close();
  process.stdout.write(JSON.stringify(figures));
}

async function main(): Promise<void> {
  const variant = process.env.BENCH_TX_VARIANT as Variant | undefined;
  if (variant) return runVariant(variant);
  const loadAtStart = loadavg();
  process.env.FIL_DB_PREFIX = `fil_test_bench_tx_${process.pid}`;
  const { Client } = await import('pg');
  const { databaseName, dropDatabase, ensureDatabase } = await persistence();
  await ensureDatabase(databaseName(SERVICE));
  const setup = new Client({ connectionString: await benchDatabaseUrl() });
  await setup.connect();
  await setup.query('create table bench_tx (id text primary key, v int not null)');
  await setup.query('create table bench_sink (id text, headers jsonb, payload text)');
  await setup.end();
  const results = new Map<Variant, { cpu: number; wall: number }[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of Object.keys(VARIANTS) as Variant[]) {
        const output = execFileSync(process.execPath, [...process.execArgv, __filename], { env: { ...process.env, BENCH_TX_VARIANT: variant }, encoding: 'utf8' });
        (results.get(variant) ?? results.set(variant, []).get(variant)!).push(JSON.parse(output));
      }
    }
  } finally {
    await dropDatabase(databaseName(SERVICE));
  }
  const median = (values: number[]) => Math.round(percentile([...values].sort((a, b) => a - b), 50)!);
  const lines = [
    `Command: \`${benchSettings()}npm run bench:transaction\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC), ${TRANSACTIONS} transactions per variant and round${PACE_MS ? `, each after a pause of ${PACE_MS} ms` : ''}, median of ${ROUNDS} rounds`,
    `Machine: ${describeMachine(loadAtStart)}`,
    '',
    '| a transaction, in a consumer span | CPU µs of the process | wall µs |',
    '|---|---|---|',
    ...[...results].map(([variant, figures]) => `| ${VARIANTS[variant]} | ${median(figures.map(({ cpu }) => cpu))} | ${median(figures.map(({ wall }) => wall))} |`),
  ];
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
