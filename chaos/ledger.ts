import type { KafkaProbe, ProbedMessage } from '@fil/testing';

/**
 * Everything the probe read, each record once (the probe reads some again after a
 * broker restart), indexed by topic and key so that hundreds of journeys can wait on
 * their own messages without scanning the whole run. Also counts what Kafka holds
 * twice: the same message id from the same source at two offsets.
 */
export class Ledger {
  private readonly records = new Set<string>();
  private readonly byKey = new Map<string, ProbedMessage[]>();
  private readonly byTopic = new Map<string, ProbedMessage[]>();
  private readonly copies = new Map<string, number>();

  constructor(probe: KafkaProbe) {
    probe.onMessage((message) => this.add(message));
  }

  of(topic: string, key: string): ProbedMessage[] {
    return this.byKey.get(`${topic}|${key}`) ?? [];
  }

  all(topic: string): ProbedMessage[] {
    return this.byTopic.get(topic) ?? [];
  }

  /** How many times Kafka holds the message `id` from `source` on `topic`. */
  copiesOf(topic: string, source: string, id: string): number {
    return this.copies.get(`${topic}|${source}|${id}`) ?? 0;
  }

  /** Messages Kafka holds more than once (same source and id at distinct offsets), per topic, counting each extra copy. */
  duplicates(): Map<string, number> {
    const perTopic = new Map<string, number>();
    for (const [id, count] of this.copies) {
      if (count < 2) continue;
      const topic = id.slice(0, id.indexOf('|'));
      perTopic.set(topic, (perTopic.get(topic) ?? 0) + count - 1);
    }
    return perTopic;
  }

  private add(message: ProbedMessage): void {
    const record = `${message.topic}|${message.partition}|${message.offset}`;
    if (this.records.has(record)) return;
    this.records.add(record);
    push(this.byTopic, message.topic, message);
    if (message.key !== undefined) push(this.byKey, `${message.topic}|${message.key}`, message);
    const id = message.headers.ce_id;
    if (id) {
      const copy = `${message.topic}|${message.headers.ce_source ?? ''}|${id}`;
      this.copies.set(copy, (this.copies.get(copy) ?? 0) + 1);
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
