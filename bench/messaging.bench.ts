// `npm run bench`: how many messages per second one MessageConsumer handles end to end on
// this machine — consume from Kafka, apply an effect and write an outgoing event to the
// outbox in the same transaction, dedupe recorded — for several batch sizes. Batch size 1
// is "one transaction per message", the baseline the batch design has to beat.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Entity, PrimaryKey } from '@mikro-orm/core';
import { acceptsSource, Topics } from '@fil/contracts';
import { createKafka, ensureTopics, MessageConsumer, messagingMigrations, Outbox, physicalTopic, type IncomingMessage } from '@fil/messaging';
import { databaseName, dropDatabase, ensureDatabase, ormOptions } from '@fil/persistence';
import { describeMachine } from './measure';

@Entity({ tableName: 'bench_effect' })
class BenchEffect {
  @PrimaryKey({ type: 'string' }) id: string;
}

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const BATCH_SIZES = (process.env.BENCH_BATCH_SIZES ?? '1,50,200').split(',').map(Number);

async function runOnce(batchSize: number): Promise<number> {
  process.env.FIL_TOPIC_PREFIX = `test.bench.${randomBytes(3).toString('hex')}.`;
  process.env.FIL_DB_PREFIX = `fil_test_bench_${randomBytes(3).toString('hex')}`;
  const service = 'bench';
  await ensureDatabase(databaseName(service));
  const orm = await MikroORM.init(ormOptions({ service, entities: [BenchEffect], migrations: messagingMigrations }));
  await orm.getMigrator().up();
  await orm.em.fork().execute('create table bench_effect (id text primary key)');
  const kafka = createKafka('fil-bench');
  await ensureTopics(kafka);

  const producer = kafka.producer();
  await producer.connect();
  for (let sent = 0; sent < MESSAGES; sent += 1_000) {
    const messages = Array.from({ length: Math.min(1_000, MESSAGES - sent) }, (_, i) => {
      const id = `order-${sent + i}`;
      return { key: id, value: JSON.stringify({ orderId: id }), headers: { ce_id: id, ce_type: 'Bench' } };
    });
    await producer.send({ topic: physicalTopic(Topics.ordersSubmitted), messages });
  }
  await producer.disconnect();

  const outbox = new Outbox(service);
  const consumer = new MessageConsumer(orm, kafka, outbox, { service, batchSize, acceptsSource });
  consumer.on(Topics.ordersSubmitted, async (message: IncomingMessage<{ orderId: string }>, em: EntityManager) => {
    em.create(BenchEffect, { id: message.value.orderId });
    await outbox.add(em, { topic: Topics.ordersEvents, key: message.value.orderId, type: 'BenchDone', data: message.value });
  });
  const started = Date.now();
  await consumer.start();
  const em = orm.em.fork();
  for (;;) {
    const [{ count }] = await em.execute<{ count: string }[]>('select count(*) from bench_effect');
    if (Number(count) >= MESSAGES) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (Date.now() - started) / 1000;
  await consumer.stop();
  await orm.close();
  await dropDatabase(databaseName(service));
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(process.env.FIL_TOPIC_PREFIX!)) });
  await admin.disconnect();
  return MESSAGES / seconds;
}

async function main() {
  const loadAtStart = loadavg();
  const rows: string[] = [];
  for (const batchSize of BATCH_SIZES) {
    const rate = await runOnce(batchSize);
    rows.push(`| ${batchSize} | ${MESSAGES} | ${Math.round(rate)} |`);
    console.log(`batch size ${batchSize}: ${Math.round(rate)} messages/s`);
  }
  const machine = describeMachine(loadAtStart);
  console.log(['', `Machine: ${machine}`, '', '| batch size | messages | messages/s |', '|---|---|---|', ...rows].join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
