import { Kafka, logLevel } from 'kafkajs';

/** Deletes the topics of one run (its FIL_TOPIC_PREFIX), so that a shared broker does not pile up partitions. */
export async function deleteRunTopics(prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'fil-test-teardown', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING, retry: { retries: 1 } }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
