import { TestEnvironment } from 'jest-environment-node';
import { deleteRunTopics } from './run-topics';

/**
 * Node's test environment, plus: once a test file is done, the topics it made (its
 * FIL_TOPIC_PREFIX) are deleted, so that a broker shared by many runs does not pile up
 * partitions until it runs out of file descriptors.
 */
export default class TopicCleaningEnvironment extends TestEnvironment {
  override async teardown(): Promise<void> {
    const prefix = (this.global.process as NodeJS.Process | undefined)?.env.FIL_TOPIC_PREFIX;
    if (prefix?.startsWith('test.')) await deleteRunTopics(prefix).catch(() => undefined);
    await super.teardown();
  }
}
