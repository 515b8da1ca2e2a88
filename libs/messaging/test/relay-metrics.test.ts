import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import { metricsReader, startTracing, stopTracing } from '@fil/observability';
import { closeMessagingDatabase, KafkaProbe, openMessagingDatabase, useTestEnvironment, waitFor } from '@fil/testing';
import { createKafka, OutboxRelay } from '../src';

useTestEnvironment('relay-metrics');
jest.setTimeout(30_000);
// The SDK as a service starts it, exporting no spans: the metrics are what is read here.
process.env.FIL_TRACING = 'off';
startTracing('relay-metrics-test');

const service = 'relay-metrics';
let orm: MikroORM;
const probe = new KafkaProbe();
const kafka = createKafka('fil-relay-metrics-test');
let relay: OutboxRelay;

async function pending(type: string, value: object): Promise<void> {
  const headers = { ce_specversion: '1.0', ce_id: randomUUID(), ce_type: type, ce_source: '/fil/inventory', 'content-type': 'application/json' };
  await orm.em.fork().execute('insert into outbox_message (message_id, topic, message_key, type, headers, payload) values (?, ?, ?, ?, ?::jsonb, ?)', [
    headers.ce_id, Topics.inventoryEvents, 'O-1', type, JSON.stringify(headers), JSON.stringify(value),
  ]);
}

beforeAll(async () => {
  orm = await openMessagingDatabase(service);
  await probe.start([Topics.inventoryEvents]);
  relay = new OutboxRelay(orm, kafka);
});

afterAll(async () => {
  await relay.stop();
  await probe.stop();
  await closeMessagingDatabase(orm, service);
  await stopTracing();
});

describe('published messages, counted', () => {
  it('counts each topic and type, and refusals by the code their reason starts with', async () => {
    await pending('StockReserved', { reservationId: 'R-1' });
    await pending('StockReserved', { reservationId: 'R-2' });
    await pending('StockReservationRefused', { reservationId: 'R-3', reason: 'INSUFFICIENT_STOCK' });
    await pending('StockReservationRefused', { reservationId: 'R-4', reason: 'INSUFFICIENT_STOCK' });
    await pending('StockReservationRefused', { reservationId: 'R-5', reason: 'UNKNOWN_LOCATION: WH-9 is not known' });
    await relay.start();
    await waitFor(() => probe.messages(Topics.inventoryEvents).length === 5, { what: 'the five rows published' });

    const { resourceMetrics } = await metricsReader()!.collect();
    const published = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === 'fil.outbox.published')!;
    const counts = published.dataPoints.map(({ attributes, value }) => ({ ...attributes, value }));
    expect(counts).toEqual(
      expect.arrayContaining([
        { topic: Topics.inventoryEvents, type: 'StockReserved', value: 2 },
        { topic: Topics.inventoryEvents, type: 'StockReservationRefused', reason: 'INSUFFICIENT_STOCK', value: 2 },
        { topic: Topics.inventoryEvents, type: 'StockReservationRefused', reason: 'UNKNOWN_LOCATION', value: 1 },
      ]),
    );
    expect(counts).toHaveLength(3);
  });
});
