import { Logger } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Partitioners, type Admin, type Kafka, type Message, type PartitionMetadata, type Producer } from 'kafkajs';
import { setting } from '@fil/config';
import { physicalTopic } from './kafka';
import { MESSAGE_RETENTION_HOURS } from './messaging-variables';
import { pauseAfterFailures, RelayConnection } from './relay-connection';
import { messagingInstruments } from './messaging-metrics';
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
  /** Longest pause when the outbox was found empty: a commit's notification ends it sooner, the poll catches one that was lost. */
  fallbackPollMs?: number;
  /** How long published outbox rows and handled-message ids are kept. */
  retentionHours?: number;
  purgeEveryMs?: number;
  /** Test hook: runs after rows are read and before they are published. */
  beforePublish?: (rows: OutboxRow[]) => void | Promise<void>;
}

/** The first row always, then rows in order while their running size stays within BATCH_BYTES. */
const PENDING_ROWS = `select id, topic, message_key, headers, payload from (
     select id, topic, message_key, headers, payload, size, sum(size) over (order by id) as running
     from (select *, octet_length(payload) + octet_length(headers::text) + coalesce(octet_length(message_key), 0) as size
           from outbox_message where published_at is null and parked_at is null and not (topic = any($3::text[])) order by id limit $1) pending
   ) sized where running <= $2 or running = size order by id`;

/** Bytes of rows read at once: a partition's share of them always fits the broker's default limit (1 MB). */
const BATCH_BYTES = 768 * 1024;

/** Broker answers about the message itself, which no retry changes: its row is parked. */
const REFUSALS = ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TOPIC_EXCEPTION'];

/** Broker answers about a topic, not the rows: its rows wait, the other topics' go on. */
const TOPIC_REFUSALS = ['UNKNOWN_TOPIC_OR_PARTITION', 'TOPIC_AUTHORIZATION_FAILED'];

/** How long the rows of a topic the broker refused wait before they are tried again. */
const TOPIC_RETRY_MS = 30_000;

/** Partition counts are looked up again after this long, as kafkajs does its metadata. */
const METADATA_MAX_AGE_MS = 5 * 60_000;

interface Outcome {
  published: string[];
  parked: { id: string; error: string }[];
  /** The error that stopped the batch (broker away, leader moving...): what is left is sent again later. */
  failure?: unknown;
}

/**
 * Publishes outbox rows to Kafka as they commit: the commit notifies the relay's own listening
 * connection (LISTEN/NOTIFY), which wakes it; a slow poll catches what a lost connection missed.
 * A pass reads rows and marks them on that connection, which holds the lock of the one relay at
 * work for its whole session, and sends them in one request per broker. A row the broker refuses
 * for what it is (too large, invalid) is found by sending again partition by partition, then row
 * by row; it is parked with the error and the rows behind it go on. Any other failure stops the
 * batch to be retried.
 * The producer is idempotent, so kafkajs's own retries never duplicate; a crash between the
 * broker's acknowledgement and the mark republishes (at-least-once) under the same `ce_id`.
 */
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly partitions = new Map<string, { metadata: PartitionMetadata[]; at: number }>();
  private producer?: Producer;
  private admin?: Admin;
  /** Set while the relay runs; `stop` aborts it, which also cuts short the pause after a failed pass (a commit's wake-up must not). */
  private stopping?: AbortController;
  private loop?: Promise<void>;
  private connection?: RelayConnection;
  private readonly wakeup = new Wakeup();
  private lastPurge = 0;
  /** Topics whose rows wait (missing, or not ours to write): why, since when, and until when they are left out. */
  private readonly waiting = new Map<string, { error: string; since: string; until: number }>();

  constructor(
    private readonly orm: MikroORM,
    private readonly kafka: Kafka,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  async start(): Promise<void> {
    if (this.stopping && !this.stopping.signal.aborted) return;
    await this.connected();
    this.stopping = new AbortController();
    this.connection = new RelayConnection(this.orm, () => this.wakeup.notify());
    this.connection.open();
    this.loop = this.run(this.stopping.signal);
  }

  async stop(): Promise<void> {
    this.stopping?.abort();
    this.wakeup.notify();
    // The pass in progress marks what it published before the connection (and the lock) goes.
    await this.loop;
    await this.connection?.close();
    this.connection = undefined;
    await this.disconnect();
  }

  /** Rows waiting to be published, the age of the oldest, and rows parked (both counts read through their partial indexes). */
  async backlog(): Promise<{ pending: number; oldestSeconds: number; parked: number }> {
    const em = this.orm.em.fork();
    const [{ pending, oldest_seconds }] = await em.execute<{ pending: number; oldest_seconds: number | null }[]>(
      'select count(*)::int as pending, extract(epoch from now() - min(created_at))::float8 as oldest_seconds from outbox_message where published_at is null and parked_at is null',
    );
    return { pending, oldestSeconds: oldest_seconds ?? 0, parked: await this.parked() };
  }

  /** How many rows are parked: each waits for an operator (`npm run dlq -- parked`). */
  async parked(): Promise<number> {
    const [{ count }] = await this.orm.em.fork().execute<{ count: number }[]>('select count(*)::int as count from outbox_message where parked_at is not null');
    return count;
  }

  /** Topics whose rows this relay leaves waiting, the broker having refused the topic itself (/health shows them). */
  topicsWaiting(): { topic: string; error: string; since: string }[] {
    return [...this.waiting].map(([topic, { error, since }]) => ({ topic, error, since }));
  }

  /** Deletes published outbox rows, handled-message ids and operators' requests older than the retention. */
  async purge(): Promise<void> {
    const hours = this.options.retentionHours ?? setting(MESSAGE_RETENTION_HOURS);
    const em = this.orm.em.fork();
    await em.execute(`delete from outbox_message where published_at < now() - make_interval(hours => ?)`, [hours]);
    await em.execute(`delete from handled_message where handled_at < now() - make_interval(hours => ?)`, [hours]);
    await em.execute(`delete from dead_letter_request where requested_at < now() - make_interval(hours => ?)`, [hours]);
  }

  /** Publishes one batch; returns how many rows it settled (published or parked), none while another relay holds the lock. */
  private async publishPending(): Promise<number> {
    const client = await this.connection?.holdingLock();
    if (!client) return 0;
    const now = Date.now();
    const leftOut = [...this.waiting].filter(([, { until }]) => until > now).map(([topic]) => topic);
    const { rows } = await client.query<OutboxRow>({ name: 'fil-outbox-pending', text: PENDING_ROWS, values: [this.options.batchSize ?? 500, BATCH_BYTES, leftOut] });
    if (!rows.length) return 0;
    await this.options.beforePublish?.(rows);
    const started = performance.now();
    const { published, parked, failure } = await this.publish(rows);
    messagingInstruments().publishSeconds.record((performance.now() - started) / 1000);
    countPublished(rows, published);
    if (published.length) await client.query('update outbox_message set published_at = now() where id = any($1::bigint[])', [published]);
    for (const { id, error } of parked) {
      this.logger.error(`outbox row ${id} parked, the broker refuses it: ${error}`);
      await client.query('update outbox_message set parked_at = now(), error = $1 where id = $2', [error, id]);
    }
    if (failure) {
      // Whether the broker appended what timed out is unknown: a new producer id starts clean.
      await this.disconnect();
      throw failure;
    }
    return published.length + parked.length;
  }

  /**
   * Sends every row in one request per broker; when the broker refuses some for what they are,
   * each partition's rows go in a request of their own, and the rows of a refused one one by
   * one, so that only a row refused alone is parked.
   */
  private async publish(rows: OutboxRow[]): Promise<Outcome> {
    const outcome: Outcome = { published: [], parked: [] };
    try {
      const groups = await this.byPartition(rows);
      if (!groups.length) return outcome;
      if (await this.sendAll(groups)) {
        outcome.published.push(...groups.flatMap(([, , group]) => group.map((row) => row.id)));
        return outcome;
      }
      for (const [topic, partition, group] of groups) {
        const acknowledged = await this.sendOrPark(topic, partition, group, outcome);
        if (!acknowledged && group.length > 1) for (const row of group) await this.sendOrPark(topic, partition, [row], outcome);
      }
    } catch (failure) {
      outcome.failure = failure;
    }
    return outcome;
  }

  /** True when the broker acknowledged every row, false when it refused some for what they are; throws on any other error. */
  private async sendAll(groups: [topic: string, partition: number, rows: OutboxRow[]][]): Promise<boolean> {
    const producer = await this.connected();
    const byTopic = new Map<string, Message[]>();
    for (const [topic, partition, group] of groups) {
      const messages = byTopic.get(topic) ?? byTopic.set(topic, []).get(topic)!;
      messages.push(...group.map((row) => messageOf(row, partition)));
    }
    try {
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      return true;
    } catch (error) {
      if (refusal(error)) return false;
      throw error;
    }
  }

  /** True when the broker acknowledged the rows, false when it refused them (a single row is then parked); throws on any other error. */
  private async sendOrPark(topic: string, partition: number, rows: OutboxRow[], outcome: Outcome): Promise<boolean> {
    try {
      await this.send(topic, partition, rows);
      outcome.published.push(...rows.map((row) => row.id));
      return true;
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      if (rows.length === 1) outcome.parked.push({ id: rows[0].id, error: `${refused}: ${describeError(error)}` });
      return false;
    }
  }

  private async send(topic: string, partition: number, rows: OutboxRow[]): Promise<void> {
    const producer = await this.connected();
    await producer.send({
      topic,
      acks: -1,
      messages: rows.map((row) => messageOf(row, partition)),
    });
  }

  /**
   * Rows grouped by the partition Kafka's default partitioner gives their key, in the order of
   * their first row; the rows of a topic the broker refuses (missing, not ours to write) wait.
   */
  private async byPartition(rows: OutboxRow[]): Promise<[topic: string, partition: number, rows: OutboxRow[]][]> {
    const groups = new Map<string, [string, number, OutboxRow[]]>();
    const metadataOf = new Map<string, PartitionMetadata[] | null>();
    for (const row of rows) {
      const topic = physicalTopic(row.topic);
      // Looked up once per topic of the pass: an await per row cost a microtask each.
      if (!metadataOf.has(topic)) metadataOf.set(topic, await this.metadataOrWait(row.topic));
      const partitionMetadata = metadataOf.get(topic);
      if (!partitionMetadata) continue;
      const partition = this.partitioner({ topic, partitionMetadata, message: { key: row.message_key, value: null } });
      const group = groups.get(`${topic}|${partition}`) ?? groups.set(`${topic}|${partition}`, [topic, partition, []]).get(`${topic}|${partition}`)!;
      group[2].push(row);
    }
    return [...groups.values()];
  }

  /** A topic's partitions, or null when the broker refuses the topic: its rows wait, logged and shown in /health. */
  private async metadataOrWait(topic: string): Promise<PartitionMetadata[] | null> {
    try {
      const metadata = await this.metadata(physicalTopic(topic));
      this.waiting.delete(topic);
      return metadata;
    } catch (error) {
      const refused = (error as { type?: string }).type;
      if (!refused || !TOPIC_REFUSALS.includes(refused)) throw error;
      const since = this.waiting.get(topic)?.since ?? new Date().toISOString();
      this.waiting.set(topic, { error: `${refused}: ${describeError(error)}`, since, until: Date.now() + TOPIC_RETRY_MS });
      this.logger.error(`outbox rows for ${topic} wait, the broker refuses the topic (${refused}); the other topics' rows go on, these are tried again in ${TOPIC_RETRY_MS / 1000} s`);
      return null;
    }
  }

  private async metadata(topic: string): Promise<PartitionMetadata[]> {
    const known = this.partitions.get(topic);
    if (known && Date.now() - known.at < METADATA_MAX_AGE_MS) return known.metadata;
    await this.connected();
    const { topics } = await this.admin!.fetchTopicMetadata({ topics: [topic] });
    this.partitions.set(topic, { metadata: topics[0].partitions, at: Date.now() });
    return topics[0].partitions;
  }

  private async connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const admin = this.kafka.admin();
      try {
        await producer.connect();
        await admin.connect();
      } catch (error) {
        await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
        throw error;
      }
      [this.producer, this.admin] = [producer, admin];
    }
    return this.producer;
  }

  private async disconnect(): Promise<void> {
    const [producer, admin] = [this.producer, this.admin];
    [this.producer, this.admin] = [undefined, undefined];
    this.partitions.clear();
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect()]);
  }

  private async run(stopped: AbortSignal): Promise<void> {
    const fallbackPollMs = this.options.fallbackPollMs ?? 5_000;
    const purgeEveryMs = this.options.purgeEveryMs ?? 60_000;
    let failures = 0;
    while (!stopped.aborted) {
      try {
        const settled = await this.publishPending();
        failures = 0;
        if (Date.now() - this.lastPurge > purgeEveryMs) {
          this.lastPurge = Date.now();
          await this.purge();
        }
        if (settled < (this.options.batchSize ?? 500)) await this.wakeup.wait(fallbackPollMs);
      } catch (error) {
        failures += 1;
        this.logger.error(`outbox relay failed (attempt ${failures}): ${describeError(error)}`);
        await this.connection?.letLockGo();
        await pauseAfterFailures(failures, stopped);
      }
    }
  }
}

/** Published rows by topic and CloudEvents type (reservations against refusals, order statuses...), refusals also by their reason. */
function countPublished(rows: OutboxRow[], published: string[]): void {
  const ids = new Set(published);
  const counts = new Map<string, { labels: Record<string, string>; count: number }>();
  for (const row of rows) {
    if (!ids.has(row.id)) continue;
    const labels: Record<string, string> = { topic: row.topic, type: row.headers.ce_type ?? '' };
    if (labels.type.endsWith('Refused')) labels.reason = refusalReason(row.payload);
    const key = JSON.stringify(labels);
    (counts.get(key) ?? counts.set(key, { labels, count: 0 }).get(key)!).count += 1;
  }
  for (const { labels, count } of counts.values()) messagingInstruments().published.add(count, labels);
}

/** The leading code of a refusal's `reason` (`INSUFFICIENT_STOCK`, `UNKNOWN_LOCATION`...): a bounded label. */
function refusalReason(payload: string): string {
  try {
    const reason: unknown = JSON.parse(payload)?.reason;
    return typeof reason === 'string' ? (/^[A-Z][A-Z_]*/.exec(reason)?.[0] ?? 'OTHER') : 'NONE';
  } catch {
    return 'NONE';
  }
}

const messageOf = (row: OutboxRow, partition: number): Message => ({ key: row.message_key, value: row.payload, headers: row.headers, partition });

/** The broker's error when it refused the message for what it is (kafkajs may wrap it). */
function refusal(error: unknown): string | undefined {
  const { type, cause } = error as { type?: string; cause?: { type?: string } };
  return REFUSALS.find((refused) => refused === (type ?? cause?.type));
}

/** A wake-up that comes while the loop is busy is kept for its next wait, so a commit during a pass is not missed. */
class Wakeup {
  private woken = false;
  private cut?: () => void;

  notify(): void {
    this.woken = true;
    this.cut?.();
  }

  /** Resolves at once if notified since the last wait, else at the next notification or after `ms`. */
  async wait(ms: number): Promise<void> {
    if (!this.woken) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.cut = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.cut = undefined;
    }
    this.woken = false;
  }
}
