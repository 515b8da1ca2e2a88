import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaConnectionOptions, leadersElected, physicalTopic } from '@fil/messaging';

/** Runs `use` on a new topic of the run (4 partitions, as Fil's), deleted afterwards. */
export async function withBenchTopic<T>(name: string, use: (topic: string) => Promise<T>): Promise<T> {
  const topic = physicalTopic(`bench.${name}.${randomUUID().slice(0, 8)}`);
  // Silent: a busy broker answers "does not host this topic-partition" until the leader is elected, which is waited out.
  const admin = new Kafka({ clientId: 'fil-bench-topics', ...kafkaConnectionOptions(process.env), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }], waitForLeaders: false });
    await leadersElected(admin, [topic]);
    return await use(topic);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}
