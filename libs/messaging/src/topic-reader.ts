import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { physicalTopic } from './kafka';

/**
 * Reads `topic` to its end as it is now, or only the message at `at`, or only the `newest`
 * messages of each partition, keeping what `keep` returns; in a consumer group of its own,
 * committing nothing. For operators' reads (the DLQ), not for a service's consumption.
 */
export async function readTopic<T>(
  kafka: Kafka,
  topic: string,
  keep: (partition: number, message: KafkaMessage) => T | undefined,
  where?: { partition: number; offset: string } | { newest: number },
): Promise<T[]> {
  const at = where && 'partition' in where ? where : undefined;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await (async () => {
    if (!(await admin.listTopics()).includes(physicalTopic(topic))) throw new Error(`no topic ${physicalTopic(topic)} on this cluster`);
    return admin.fetchTopicOffsets(physicalTopic(topic));
  })().finally(() => admin.disconnect());
  // The last offset to read in each partition that has one.
  const last = new Map(
    ends
      .filter(({ partition, low, high }) => (at ? partition === at.partition && Number(low) <= Number(at.offset) && Number(at.offset) < Number(high) : Number(low) < Number(high)))
      .map(({ partition, high }) => [partition, at ? Number(at.offset) : Number(high) - 1]),
  );
  if (!last.size) return [];
  const starts = where && 'newest' in where ? ends.filter(({ partition }) => last.has(partition)).map(({ partition, low, high }) => ({ partition, offset: String(Math.max(Number(low), Number(high) - where.newest)) })) : [];
  // What a fetch begun before the seeks brings from earlier offsets is skipped.
  const first = new Map(starts.map(({ partition, offset }) => [partition, Number(offset)]));
  const found: T[] = [];
  const consumer = kafka.consumer({ groupId: `fil-topic-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  let timer: NodeJS.Timeout | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [physicalTopic(topic)], fromBeginning: !at });
    let finished!: () => void;
    const allRead = new Promise<void>((resolve) => (finished = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (!last.has(partition) || Number(message.offset) > last.get(partition)! || Number(message.offset) < (first.get(partition) ?? 0)) return;
        const kept = keep(partition, message);
        if (kept !== undefined) found.push(kept);
        if (Number(message.offset) === last.get(partition)) last.delete(partition);
        if (!last.size) finished();
      },
    });
    for (const { partition, offset } of at ? [at] : starts) consumer.seek({ topic: physicalTopic(topic), partition, offset });
    await Promise.race([allRead, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out reading ${topic}`)), 30_000)))]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return found;
}
