import { TestEnvironment } from 'jest-environment-node';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Node's test environment, plus: once a test file is done, the topics it made (its
 * FIL_TOPIC_PREFIX) are deleted, so that a broker shared by many runs does not pile up
 * partitions until it runs out of file descriptors.
 */
export default class TopicCleaningEnvironment extends TestEnvironment {
  override async teardown(): Promise<void> {
    const prefix = (this.global.process as NodeJS.Process | undefined)?.env.FIL_TOPIC_PREFIX;
    if (prefix?.startsWith('test.')) await deleteTopics(prefix).catch(() => undefined);
    await super.teardown();
  }
}

async function deleteTopics(prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'fil-test-teardown', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING, retry: { retries: 1 } }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
