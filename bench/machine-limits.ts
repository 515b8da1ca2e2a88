// The machine's own limits, measured in the same run as Fil's figures so that those can be read
// as ratios: PostgreSQL with reservation-shaped transactions (pgbench) and the broker with
// Kafka's own producer (ProducerPerformance from the broker's jars).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { databaseName, databaseUrlOf, dropDatabase, ensureDatabase } from '@fil/persistence';
import { kafkaConnectionOptions } from '@fil/messaging';
import { withBenchTopic } from './bench-topic';

const run = promisify(execFile);
const root = resolve(__dirname, '..');

export interface PgbenchResult {
  scenario: string;
  tps: number;
  latencyMs: number;
}

export interface ProducerPerfResult {
  records: number;
  recordBytes: number;
  recordsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const STOCK_ROWS = 100_000;

/** One reservation as inventory makes it: take a unit from a stock row if it has one, and record the hold. */
const reservation = (row: string) => `\\set qty 1
${row}BEGIN;
UPDATE stock SET reserved = reserved + :qty WHERE id = :id AND on_hand - reserved >= :qty;
INSERT INTO reservation (stock_id, quantity) VALUES (:id, :qty);
END;
`;

/** pgbench on its own database: every client on one hot stock row, then spread over 100k rows. */
export async function pgbenchReservations(clients: number, seconds: number): Promise<PgbenchResult[]> {
  const name = databaseName('pgbench');
  await ensureDatabase(name);
  const scripts = mkdtempSync(join(tmpdir(), 'fil-pgbench-'));
  try {
    const client = new Client({ connectionString: databaseUrlOf(name) });
    await client.connect();
    try {
      await client.query(`create table stock (id int primary key, on_hand int not null, reserved int not null);
        insert into stock select g, 2000000000, 0 from generate_series(1, ${STOCK_ROWS}) g;
        create table reservation (id bigserial primary key, stock_id int not null, quantity int not null, created_at timestamptz not null default now());`);
      // Not in the statement above: VACUUM refuses to run inside its implicit transaction.
      await client.query('vacuum analyze stock');
    } finally {
      await client.end();
    }
    const scenarios = [
      { scenario: `hot: one stock row, ${clients} clients`, script: reservation('\\set id 1\n') },
      { scenario: `spread: ${STOCK_ROWS / 1000}k stock rows, ${clients} clients`, script: reservation(`\\set id random(1, ${STOCK_ROWS})\n`) },
    ];
    const results: PgbenchResult[] = [];
    for (const { scenario, script } of scenarios) {
      const file = join(scripts, `${results.length}.sql`);
      writeFileSync(file, script);
      const { stdout } = await run('pgbench', ['-n', '-M', 'prepared', '-c', String(clients), '-j', '2', '-T', String(seconds), '-f', file, databaseUrlOf(name)], { maxBuffer: 16 << 20 });
      const tps = /^tps = ([\d.]+) \(without initial connection time\)/m.exec(stdout);
      const latency = /^latency average = ([\d.]+) ms/m.exec(stdout);
      if (!tps || !latency) throw new Error(`pgbench printed no tps:\n${stdout}`);
      results.push({ scenario, tps: Number(tps[1]), latencyMs: Number(latency[1]) });
    }
    return results;
  } finally {
    rmSync(scripts, { recursive: true, force: true });
    await dropDatabase(name);
  }
}

/** Where scripts/infra.sh puts the broker's jars; BENCH_KAFKA_JARS for another copy. */
export const kafkaJars = () => process.env.BENCH_KAFKA_JARS ?? join(root, '.local/jars/kafka');

/**
 * Kafka's own producer at full speed on a fresh topic of the run (4 partitions, like Fil's):
 * acks=all and idempotence, as Fil's relays send.
 */
export function producerPerformance(records: number, recordBytes: number): Promise<ProducerPerfResult> {
  return withBenchTopic('producer-perf', async (topic) => {
    const { stdout } = await run(
      'java',
      [
        '-Xmx512m',
        `-Dlog4j.configuration=file:${join(root, 'deploy/local/log4j.properties')}`,
        '-cp',
        `${kafkaJars()}/*`,
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic', topic,
        '--num-records', String(records),
        '--record-size', String(recordBytes),
        '--throughput', '-1',
        '--producer-props', `bootstrap.servers=${kafkaConnectionOptions(process.env).brokers.join(',')}`, 'acks=all', 'enable.idempotence=true',
      ],
      { maxBuffer: 16 << 20 },
    );
    // The last line: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P50 ms 50th, P95 ms 95th, P99 ms 99th, ..."
    const summary = /(\d+) records sent, ([\d.]+) records\/sec .*?, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(stdout);
    if (!summary) throw new Error(`ProducerPerformance printed no summary:\n${stdout.slice(-2000)}`);
    return { records: Number(summary[1]), recordBytes, recordsPerSecond: Number(summary[2]), p50Ms: Number(summary[3]), p99Ms: Number(summary[4]) };
  });
}
