import { randomUUID } from 'node:crypto';
import type { Consumer, IHeaders, Kafka, Producer } from 'kafkajs';
import { createKafka, decodeHeaders, ensureTopics, physicalTopic } from '@fil/messaging';
import { waitFor } from './test-environment';

export interface ProbedMessage {
  topic: string;
  partition: number;
  offset: string;
  /** When the broker appended it (ms since epoch). */
  timestamp: number;
  key?: string;
  headers: Record<string, string>;
  raw: string | null;
  value: any;
}

/**
 * A test's own Kafka client: sends what a channel would send and records
 * everything that appears on the topics it watches, from their beginning.
 */
export class KafkaProbe {
  readonly kafka: Kafka = createKafka(`fil-test-probe-${randomUUID().slice(0, 8)}`);
  private producer?: Producer;
  private consumer?: Consumer;
  private readonly seen = new Map<string, ProbedMessage[]>();
  /** The last offset read per `physicalTopic:partition`. */
  private readonly read = new Map<string, number>();
  private readonly listeners: ((message: ProbedMessage) => void)[] = [];

  /** Creates the topics, then starts watching `topics` (logical names). */
  async start(topics: string[]): Promise<void> {
    await ensureTopics(this.kafka);
    this.producer = this.kafka.producer();
    await this.producer.connect();
    for (const topic of topics) this.seen.set(topic, []);
    if (!topics.length) return;
    this.consumer = this.kafka.consumer({ groupId: `probe-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: topics.map(physicalTopic), fromBeginning: true });
    const byPhysical = new Map(topics.map((topic) => [physicalTopic(topic), topic]));
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.read.set(`${topic}:${partition}`, Number(message.offset));
        const raw = message.value?.toString('utf8') ?? null;
        let value: unknown = raw;
        try {
          value = raw === null ? null : JSON.parse(raw);
        } catch {
          // keep the raw text: the test may be looking at garbage on purpose
        }
        const probed: ProbedMessage = {
          topic: byPhysical.get(topic)!,
          partition,
          offset: message.offset,
          timestamp: Number(message.timestamp),
          key: message.key?.toString('utf8'),
          headers: decodeHeaders(message),
          raw,
          value,
        };
        this.seen.get(probed.topic)!.push(probed);
        for (const listener of this.listeners) listener(probed);
      },
    });
    await waitFor(async () => (await this.consumer!.describeGroup()).state === 'Stable', { what: 'probe consumer group' });
  }

  /** Sends a raw value (object values are JSON-encoded) with optional headers. */
  async send(topic: string, key: string | null, value: unknown, headers: IHeaders = {}): Promise<void> {
    const encoded = typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value);
    await this.producer!.send({ topic: physicalTopic(topic), messages: [{ key, value: encoded as string | Buffer, headers }] });
  }

  /** Sends many already-encoded messages in one request. */
  async sendMany(topic: string, messages: { key: string; value: string; headers?: IHeaders }[]): Promise<void> {
    await this.producer!.send({ topic: physicalTopic(topic), messages });
  }

  /** Calls `listener` with every message recorded from now on: for indexes that a long run cannot rebuild by filtering. */
  onMessage(listener: (message: ProbedMessage) => void): void {
    this.listeners.push(listener);
  }

  messages(topic: string, predicate: (message: ProbedMessage) => boolean = () => true): ProbedMessage[] {
    return (this.seen.get(topic) ?? []).filter(predicate);
  }

  waitForMessage(topic: string, predicate: (message: ProbedMessage) => boolean, timeoutMs = 20_000): Promise<ProbedMessage> {
    return waitFor(() => this.messages(topic, predicate)[0], { timeoutMs, what: `a message on ${topic}` });
  }

  /** The topics it watches (logical names). */
  topics(): string[] {
    return [...this.seen.keys()];
  }

  /** Waits until it has read each partition up to `ends`, the next offsets by `physicalTopic:partition`. */
  async caughtUp(ends: Map<string, number>): Promise<void> {
    await waitFor(() => [...ends].every(([partition, end]) => end === 0 || (this.read.get(partition) ?? -1) >= end - 1), {
      what: 'the probe to read its topics to the end',
    });
  }

  /** Waits until everything on `topic` up to now has been seen: what is not there by then was never sent. */
  async readToEnd(topic: string): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(physicalTopic(topic)).finally(() => admin.disconnect());
    await this.caughtUp(new Map(ends.map(({ partition, high }) => [`${physicalTopic(topic)}:${partition}`, Number(high)])));
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}
