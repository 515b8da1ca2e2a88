import type { HttpException } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@fil/contracts';
import { createKafka, MessageConsumer, Outbox, OutboxRelay } from '@fil/messaging';
import { closeMessagingDatabase, KafkaProbe, openMessagingDatabase, useTestEnvironment, waitFor } from '@fil/testing';
import { HealthController, Sweepers } from '../src';

useTestEnvironment('health');
jest.setTimeout(30_000);

const service = 'health';
let orm: MikroORM;
const kafka = createKafka('fil-health-test');
const probe = new KafkaProbe();
let consumer: MessageConsumer;
let relay: OutboxRelay;
let health: HealthController;
/** The handler fails as a bug or a lock would, until the test mends it. */
let broken = true;

beforeAll(async () => {
  orm = await openMessagingDatabase(service);
  await probe.start([]);
  consumer = new MessageConsumer(orm, kafka, new Outbox(service), { service, acceptsSource: () => true });
  consumer.on(Topics.ordersSubmitted, async () => {
    if (broken) throw new Error('the handler is broken');
  });
  relay = new OutboxRelay(orm, kafka);
  await consumer.start();
  health = new HealthController(orm, kafka, consumer, relay, new Sweepers());
});

afterAll(async () => {
  await health.onModuleDestroy();
  await consumer.stop();
  await probe.stop();
  await closeMessagingDatabase(orm, service);
});

describe('/health', () => {
  it('answers 200 degraded with the held partition, its error and since when, and ok again once the message went through', async () => {
    const ok = { status: 'ok', checks: { database: 'up', kafka: 'up' }, messaging: { held: [], parked: 0, topicsWaiting: [] }, sweeps: [] };
    expect(await health.health()).toEqual(ok);

    await probe.send(Topics.ordersSubmitted, 'stuck', { orderId: 'stuck' });
    const degraded = await waitFor(async () => {
      const body = await health.health();
      return body.messaging.held.length > 0 && body;
    }, { what: 'the partition to be held' });
    expect(degraded).toEqual({
      status: 'degraded',
      checks: { database: 'up', kafka: 'up' },
      messaging: {
        held: [{ topic: Topics.ordersSubmitted, partition: expect.any(Number), offset: '0', attempts: expect.any(Number), since: expect.any(String), error: 'the handler is broken' }],
        parked: 0,
        topicsWaiting: [],
      },
      sweeps: [],
    });

    broken = false;
    await waitFor(async () => (await health.health()).status === 'ok', { what: 'the held message to go through' });
  });

  it('answers 200 degraded while an outbox row is parked', async () => {
    await orm.em.fork().execute(`insert into outbox_message (message_id, topic, type, headers, payload, parked_at, error)
      values ('parked-1', 'fil.orders.events.v1', 'T', '{}', '{}', now(), 'MESSAGE_TOO_LARGE: refused')`);
    expect(await health.health()).toMatchObject({ status: 'degraded', messaging: { held: [], parked: 1 } });
  });

  it('is not ready but alive while Kafka does not answer: 503 on /health, 200 on /health/live', async () => {
    const unreachable = new Kafka({ clientId: 'fil-health-unreachable', brokers: ['127.0.0.1:1'], retry: { retries: 0 }, logLevel: logLevel.NOTHING });
    const cut = new HealthController(orm, unreachable, consumer, relay, new Sweepers());
    try {
      const refused = await cut.health().then(() => undefined, (error: HttpException) => error);
      expect(refused?.getStatus()).toBe(503);
      expect(refused?.getResponse()).toMatchObject({ status: 'down', checks: { database: 'up', kafka: expect.stringMatching(/^down: /) } });
      expect(cut.live()).toEqual({ status: 'alive' });
    } finally {
      await cut.onModuleDestroy();
    }
  });
});
