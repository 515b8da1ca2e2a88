import { Logger } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Kafka, Producer } from 'kafkajs';
import { physicalTopic } from './kafka';
import { describeError } from '@fil/observability';

export interface OutboxRow {
  id: string;
  topic: string;
  message_key: string | null;
  headers: Record<string, string>;
  payload: string;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Pause when the outbox was found empty; a full batch loops at once. */
  idleMs?: number;
  /** How long published outbox rows and handled-message ids are kept. */
  retentionHours?: number;
  purgeEveryMs?: number;
  /** Test hook: runs after rows are read and before they are published. */
  beforePublish?: (rows: OutboxRow[]) => void | Promise<void>;
}

// One relay at a time per service database, so the rows of one key are published in commit order.
const RELAY_LOCK = 0x0f11_0001;

/**
 * Publishes committed outbox rows to Kafka, then marks them published in the
 * same transaction that locked them. A crash before the mark republishes the
 * rows (at-least-once); consumers dedupe by `ce_id`, so the effect stays once.
 */
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private producer?: Producer;
  private running = false;
  private loop?: Promise<void>;
  private lastPurge = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly kafka: Kafka,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  /** Publishes one batch; returns how many rows went out. */
  async publishPending(): Promise<number> {
    const producer = this.producer;
    if (!producer) throw new Error('relay not started');
    const batchSize = this.options.batchSize ?? 500;
    return this.orm.em.fork().transactional(async (tx) => {
      const [{ locked }] = await tx.execute<{ locked: boolean }[]>('select pg_try_advisory_xact_lock(?) as locked', [RELAY_LOCK]);
      if (!locked) return 0;
      const rows = await tx.execute<OutboxRow[]>(
        'select id, topic, message_key, headers, payload from outbox_message where published_at is null order by id limit ?',
        [batchSize],
      );
      if (!rows.length) return 0;
      await this.options.beforePublish?.(rows);
      await producer.sendBatch({ acks: -1, topicMessages: groupByTopic(rows) });
      await tx.execute('update outbox_message set published_at = now() where id = any(?::bigint[])', [
        `{${rows.map((row) => row.id).join(',')}}`,
      ]);
      return rows.length;
    });
  }

  /** Deletes published outbox rows and handled-message ids older than the retention. */
  async purge(): Promise<void> {
    const hours = this.options.retentionHours ?? Number(process.env.FIL_MESSAGE_RETENTION_HOURS ?? 168);
    const em = this.orm.em.fork();
    await em.execute(`delete from outbox_message where published_at < now() - make_interval(hours => ?)`, [hours]);
    await em.execute(`delete from handled_message where handled_at < now() - make_interval(hours => ?)`, [hours]);
  }

  private async run(): Promise<void> {
    const idleMs = this.options.idleMs ?? 20;
    const purgeEveryMs = this.options.purgeEveryMs ?? 60_000;
    let failures = 0;
    while (this.running) {
      try {
        const published = await this.publishPending();
        failures = 0;
        if (Date.now() - this.lastPurge > purgeEveryMs) {
          this.lastPurge = Date.now();
          await this.purge();
        }
        if (published < (this.options.batchSize ?? 500)) await sleep(idleMs);
      } catch (error) {
        failures += 1;
        this.logger.error(`outbox relay failed (attempt ${failures}): ${describeError(error)}`);
        await sleep(Math.min(5_000, 100 * 2 ** failures));
      }
    }
  }
}

function groupByTopic(rows: OutboxRow[]) {
  const byTopic = new Map<string, { key: string | null; value: string; headers: Record<string, string> }[]>();
  for (const row of rows) {
    const topic = physicalTopic(row.topic);
    if (!byTopic.has(topic)) byTopic.set(topic, []);
    byTopic.get(topic)!.push({ key: row.message_key, value: row.payload, headers: row.headers });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
