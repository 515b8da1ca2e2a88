import { Logger } from '@nestjs/common';
import { Topics } from '@fil/contracts';
import { useTestEnvironment } from '@fil/testing';
import { createKafka, ensureTopics, physicalTopic } from '../src';

useTestEnvironment('topics');
jest.setTimeout(90_000);

const kafka = createKafka('fil-topics-test');
const admin = kafka.admin();

beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

const partitionsOf = async (topics: string[]) =>
  new Map((await admin.fetchTopicMetadata({ topics: topics.map(physicalTopic) })).topics.map(({ name, partitions }) => [name, partitions.length]));

it('creates the missing topics with FIL_KAFKA_PARTITIONS, and leaves one that has fewer as it is, with a warning naming it and both counts', async () => {
  await admin.createTopics({ topics: [{ topic: physicalTopic(Topics.ordersEvents), numPartitions: 2 }], waitForLeaders: true });
  const warn = jest.spyOn(Logger.prototype, 'warn');
  process.env.FIL_KAFKA_PARTITIONS = '3';

  await ensureTopics(kafka);

  const counts = await partitionsOf(Object.values(Topics));
  expect(counts.get(physicalTopic(Topics.ordersEvents))).toBe(2);
  expect([...counts].filter(([topic]) => topic !== physicalTopic(Topics.ordersEvents)).map(([, n]) => n)).toEqual(Array(Object.values(Topics).length - 1).fill(3));
  const warnings = warn.mock.calls.map(([message]) => String(message));
  expect(warnings).toEqual([expect.stringContaining(`topic ${physicalTopic(Topics.ordersEvents)} has 2 partitions, fewer than FIL_KAFKA_PARTITIONS=3: not grown`)]);
});
