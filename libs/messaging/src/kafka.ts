import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type ITopicConfig, type logCreator } from 'kafkajs';
import { COMPACTED_TOPICS, Topics, type TopicName } from '@fil/contracts';
import { setting } from '@fil/config';
import { kafkaConnectionOptions } from './kafka-connection';
import { KAFKA_CREATE_TOPICS, KAFKA_PARTITIONS, TOPIC_PREFIX } from './messaging-variables';

// kafkajs prints a partitioner notice on every producer; the default is what we want.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** The only place that builds a Kafka client: swapping kafkajs for another client starts here. */
export function createKafka(clientId: string): Kafka {
  return new Kafka({
    clientId,
    ...kafkaConnectionOptions(process.env),
    logLevel: logLevel.ERROR,
    logCreator: jsonLogCreator,
    retry: { retries: 8, initialRetryTime: 200 },
  });
}

// kafkajs reports these at ERROR while a new topic's leader is elected, then retries and succeeds.
const TRANSIENT = /not the leader|coordinator is not available|coordinator is loading|leadership election/i;

/** kafkajs's own logs as JSON lines like ours, without the noise of retried transient errors. */
const jsonLogCreator: logCreator =
  () =>
  ({ namespace, level, log }) => {
    const { message, timestamp, ...extra } = log;
    if (TRANSIENT.test(`${message} ${String(extra.error ?? '')}`)) return;
    process.stdout.write(
      `${JSON.stringify({ time: timestamp, level: level === logLevel.ERROR ? 'error' : 'warn', context: `kafkajs.${namespace}`, msg: message, ...extra })}\n`,
    );
  };

/**
 * `FIL_TOPIC_PREFIX` lets several independent Fil deployments (or test runs)
 * share one cluster; the logical names stay those of the contract.
 */
export function physicalTopic(topic: TopicName | string): string {
  return `${setting(TOPIC_PREFIX)}${topic}`;
}

export function logicalTopic(physical: string): string {
  const prefix = setting(TOPIC_PREFIX);
  return prefix && physical.startsWith(prefix) ? physical.slice(prefix.length) : physical;
}

/** `FIL_KAFKA_CREATE_TOPICS=false` where the operator creates the topics and services hold no Create ACL. */
export const createsTopicsAtStart = () => setting(KAFKA_CREATE_TOPICS);

/**
 * Creates every contract topic that is missing with `partitions` (FIL_KAFKA_PARTITIONS); safe to call
 * from every service at start. A topic with fewer is left as it is, with a warning: growing it would
 * send an order's next messages to another partition than those still in flight, out of order.
 */
export async function ensureTopics(kafka: Kafka, partitions = setting(KAFKA_PARTITIONS)): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const listed = new Set(await admin.listTopics());
    const existing = Object.values(Topics).filter((topic) => listed.has(physicalTopic(topic)));
    const missing = Object.values(Topics).filter((topic) => !listed.has(physicalTopic(topic)));
    await warnOfFewerPartitions(admin, existing.map(physicalTopic), partitions);
    if (missing.length) {
      const topics: ITopicConfig[] = missing.map((topic) => ({
        topic: physicalTopic(topic),
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: COMPACTED_TOPICS.includes(topic) ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
      }));
      await admin.createTopics({ topics, waitForLeaders: false }).catch((error: Error) => {
        // Another service created them between our listing and our request.
        if (!/already exists/i.test(error.message)) throw error;
      });
      await leadersElected(admin, topics.map(({ topic }) => topic));
    }
  } finally {
    await admin.disconnect();
  }
}

async function warnOfFewerPartitions(admin: Admin, topics: string[], configured: number): Promise<void> {
  if (!topics.length) return;
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  for (const { name, partitions } of metadata) {
    if (partitions.length >= configured) continue;
    new Logger('Topics').warn(
      `topic ${name} has ${partitions.length} partitions, fewer than FIL_KAFKA_PARTITIONS=${configured}: not grown, since growing it moves keys to other partitions and breaks per-order ordering while older messages are in flight`,
    );
  }
}

/**
 * Waits until every partition of `topics` has a leader. A broker busy creating or deleting many
 * topics answers for a while that it does not host a new one yet: that is waited out too.
 */
export async function leadersElected(admin: Admin, topics: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 50; ; pause = Math.min(pause * 2, 1_000)) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (metadata.every(({ partitions }) => partitions.length && partitions.every(({ leader }) => leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
