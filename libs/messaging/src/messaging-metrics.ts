import type { Counter, Histogram } from '@opentelemetry/api';
import { filMeter } from '@fil/observability';

interface MessagingInstruments {
  consumed: Counter;
  deadLettered: Counter;
  batchSeconds: Histogram;
  published: Counter;
  publishSeconds: Histogram;
}

let instruments: MessagingInstruments | undefined;

/** Made at first use, once the SDK has started: instruments taken earlier would stay no-ops. */
export function messagingInstruments(): MessagingInstruments {
  if (instruments) return instruments;
  const meter = filMeter();
  instruments = {
    consumed: meter.createCounter('fil.messages.consumed', { description: 'Messages consumed and committed, by topic (handled, skipped as redelivered, or dead-lettered)' }),
    deadLettered: meter.createCounter('fil.messages.dead_lettered', { description: 'Messages sent to fil.dlq.v1, by the topic they came from' }),
    batchSeconds: meter.createHistogram('fil.messages.batch.seconds', { unit: 's', description: "Time to handle one transaction's messages, by topic" }),
    published: meter.createCounter('fil.outbox.published', { description: 'Outbox rows published to Kafka, by topic and CloudEvents type (StockReserved against StockReservationRefused...)' }),
    publishSeconds: meter.createHistogram('fil.outbox.publish.seconds', { unit: 's', description: "Time of one relay pass's send to Kafka, from read to acknowledgement" }),
  };
  return instruments;
}

/**
 * Gauges read when metrics are collected: consumer lag and held partitions from the
 * consumer's memory, the outbox's backlog, its oldest row's age and parked rows from the
 * database. Registered once per process.
 */
export function observeMessaging(sources: {
  lag: () => { topic: string; partition: number; lag: number }[];
  held: () => number;
  outbox: () => Promise<{ pending: number; oldestSeconds: number; parked: number }>;
}): void {
  const meter = filMeter();
  const lag = meter.createObservableGauge('fil.consumer.lag', { description: 'Messages behind the end of each partition this instance consumes, after its last batch' });
  const held = meter.createObservableGauge('fil.consumer.held_partitions', { description: 'Partitions stopped at a message that keeps failing' });
  const pending = meter.createObservableGauge('fil.outbox.backlog', { description: 'Outbox rows not yet published' });
  const oldest = meter.createObservableGauge('fil.outbox.oldest_pending.seconds', { unit: 's', description: 'Age of the oldest outbox row not yet published' });
  const parked = meter.createObservableGauge('fil.outbox.parked', { description: 'Outbox rows the broker refused, waiting for an operator' });
  meter.addBatchObservableCallback(
    async (result) => {
      for (const { topic, partition, lag: behind } of sources.lag()) result.observe(lag, behind, { topic, partition });
      result.observe(held, sources.held());
      const outbox = await sources.outbox().catch(() => undefined);
      if (!outbox) return;
      result.observe(pending, outbox.pending);
      result.observe(oldest, outbox.oldestSeconds);
      result.observe(parked, outbox.parked);
    },
    [lag, held, pending, oldest, parked],
  );
}
