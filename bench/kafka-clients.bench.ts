// The Kafka client A/B of issue 12: kafkajs (in use, unmaintained) against @platformatic/kafka,
// same broker, same run, same messages (order-sized JSON, keyed by order id). Each client
// produces with acks=all and idempotence and consumes in a consumer group of its own: a burst
// (messages/s produced, and end to end until consumed), then a paced load for the latency from
// the send call to the consumer's callback. Rounds run A B B A so that the machine's drift
// weighs on both. Alone: `node -r @swc-node/register bench/kafka-clients.bench.ts`.
import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { useTestEnvironment, waitFor } from '@fil/testing';
import { kafkaConnectionOptions } from '@fil/messaging';
import { withBenchTopic } from './bench-topic';
import { knob, percentile, round, sleep } from './measure';

export interface ClientFigures {
  client: string;
  round: number;
  messages: number;
  producedPerSecond: number;
  consumedPerSecond: number;
  latencyMessages: number;
  latencyRate: number;
  p50Ms?: number;
  p99Ms?: number;
}

/** What the A/B needs of a client: a group consumer that reports each key, and a producer. */
interface ClientUnderTest {
  name: string;
  consume(topic: string, received: (key: string) => void): Promise<void>;
  send(topic: string, messages: { key: string; value: string }[]): Promise<void>;
  stop(): Promise<void>;
}

const brokers = () => kafkaConnectionOptions(process.env).brokers;

function kafkajsClient(): ClientUnderTest {
  const kafka = new Kafka({ clientId: `fil-bench-kafkajs-${randomUUID().slice(0, 8)}`, brokers: brokers(), logLevel: 1 });
  // As Fil's relays: idempotent, one request in flight (kafkajs's condition for ordering with retries).
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `fil-bench-kafkajs-${randomUUID()}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  return {
    name: 'kafkajs 2.2.4',
    async consume(topic, received) {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) received(message.key!.toString());
        },
      });
    },
    async send(topic, messages) {
      await producer.send({ topic, acks: -1, messages });
    },
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

async function platformaticClient(): Promise<ClientUnderTest> {
  const { Consumer, Producer, ProduceAcks, stringSerializers, stringDeserializers } = await import('@platformatic/kafka');
  const producer = new Producer({ clientId: `fil-bench-platformatic-${randomUUID().slice(0, 8)}`, bootstrapBrokers: brokers(), serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL, autocreateTopics: false });
  const consumer = new Consumer({ groupId: `fil-bench-platformatic-${randomUUID()}`, clientId: `fil-bench-platformatic-${randomUUID().slice(0, 8)}`, bootstrapBrokers: brokers(), deserializers: stringDeserializers, maxWaitTime: 100 });
  return {
    name: '@platformatic/kafka 2.12.1',
    async consume(topic, received) {
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: true });
      stream.on('data', (message) => received(message.key));
    },
    async send(topic, messages) {
      await producer.send({ messages: messages.map((message) => ({ topic, ...message })) });
    },
    async stop() {
      await consumer.close(true);
      await producer.close();
    },
  };
}

/**
 * Runs the A/B: `messages` in a burst and `latencyMessages` paced at `latencyRate` per client per
 * round, after a round of each that is not kept: a cold broker made every first round slower.
 */
export async function compareKafkaClients(options: { messages: number; latencyMessages: number; latencyRate: number; rounds: number; value: (key: string) => string }): Promise<ClientFigures[]> {
  for (const client of [kafkajsClient(), await platformaticClient()]) await measureClient(client, 0, options);
  const order = Array.from({ length: options.rounds }, (_, round) => (round % 2 === 0 ? ['kafkajs', 'platformatic'] : ['platformatic', 'kafkajs'])).flat();
  const figures: ClientFigures[] = [];
  for (const [index, which] of order.entries()) {
    figures.push(await measureClient(which === 'kafkajs' ? kafkajsClient() : await platformaticClient(), Math.floor(index / 2) + 1, options));
  }
  return figures;
}

function measureClient(client: ClientUnderTest, round: number, options: { messages: number; latencyMessages: number; latencyRate: number; value: (key: string) => string }): Promise<ClientFigures> {
  return withBenchTopic('kafka-clients', (topic) => measureOn(topic, client, round, options));
}

async function measureOn(topic: string, client: ClientUnderTest, round: number, options: { messages: number; latencyMessages: number; latencyRate: number; value: (key: string) => string }): Promise<ClientFigures> {
  const sentAt = new Map<string, number>();
  const latencies = new Map<string, number>();
  let lastConsumedAt = 0;
  try {
    await client.consume(topic, (key) => {
      const now = Date.now();
      if (!latencies.has(key) && sentAt.has(key)) latencies.set(key, now - sentAt.get(key)!);
      lastConsumedAt = now;
    });
    // One message through first: the group has joined and every connection is open.
    sentAt.set('warm-up', Date.now());
    await client.send(topic, [{ key: 'warm-up', value: options.value('warm-up') }]);
    await waitFor(() => latencies.has('warm-up'), { timeoutMs: 60_000, what: `${client.name} to join its group` });

    const burst: string[] = [];
    const started = Date.now();
    for (let sent = 0; sent < options.messages; sent += 100) {
      const batch = Array.from({ length: Math.min(100, options.messages - sent) }, (_, i) => `burst-${sent + i}`);
      const now = Date.now();
      for (const key of batch) sentAt.set(key, now);
      burst.push(...batch);
      await client.send(topic, batch.map((key) => ({ key, value: options.value(key) })));
    }
    const producedIn = Date.now() - started;
    await waitFor(() => burst.every((key) => latencies.has(key)), { timeoutMs: 300_000, intervalMs: 50, what: `${client.name} to consume the burst` });
    const consumedIn = lastConsumedAt - started;

    // Paced: each message sent on its own at its due time, none waiting for the previous one.
    const paced: Promise<void>[] = [];
    const pacedStart = Date.now();
    for (let n = 0; n < options.latencyMessages; n += 1) {
      const due = pacedStart + (n * 1000) / options.latencyRate;
      if (due > Date.now()) await sleep(due - Date.now());
      const key = `paced-${n}`;
      sentAt.set(key, Date.now());
      paced.push(client.send(topic, [{ key, value: options.value(key) }]));
    }
    await Promise.all(paced);
    const pacedKeys = Array.from({ length: options.latencyMessages }, (_, n) => `paced-${n}`);
    await waitFor(() => pacedKeys.every((key) => latencies.has(key)), { timeoutMs: 120_000, intervalMs: 50, what: `${client.name} to consume the paced messages` });
    const sorted = pacedKeys.map((key) => latencies.get(key)!).sort((a, b) => a - b);
    return {
      client: client.name,
      round,
      messages: options.messages,
      producedPerSecond: options.messages / (producedIn / 1000),
      consumedPerSecond: options.messages / (consumedIn / 1000),
      latencyMessages: options.latencyMessages,
      latencyRate: options.latencyRate,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
    };
  } finally {
    await client.stop();
  }
}

export function kafkaClientsTable(figures: ClientFigures[]): string[] {
  return [
    '| client | round | messages | produced/s | produced → consumed/s | paced messages | paced rate/s | latency p50 ms | latency p99 ms |',
    '|---|---|---|---|---|---|---|---|---|',
    ...figures.map((f) => `| ${f.client} | ${f.round} | ${f.messages} | ${round(f.producedPerSecond)} | ${round(f.consumedPerSecond)} | ${f.latencyMessages} | ${f.latencyRate} | ${f.p50Ms ?? '–'} | ${f.p99Ms ?? '–'} |`),
  ];
}

/** The knobs of the A/B, shared with `npm run bench:orders`. */
export const kafkaClientsOptions = (value: (key: string) => string) => ({
  messages: knob('BENCH_AB_MESSAGES', 20_000),
  latencyMessages: knob('BENCH_AB_PACED', 2_000),
  latencyRate: knob('BENCH_AB_RATE', 500),
  rounds: knob('BENCH_AB_ROUNDS', 2),
  value,
});

if (require.main === module) {
  useTestEnvironment('bench-kafka-clients');
  const sample = JSON.stringify({ orderId: 'x'.repeat(16), padding: 'y'.repeat(380) });
  compareKafkaClients(kafkaClientsOptions(() => sample))
    .then((figures) => console.log(kafkaClientsTable(figures).join('\n')))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
