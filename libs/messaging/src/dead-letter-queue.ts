import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { readDeadLetter, type DeadLetter } from './dead-letter';
import { physicalTopic } from './kafka';
import { decodeHeaders, REDRIVE_HEADER } from './message';
import { readTopic } from './topic-reader';

/** A dead letter with where it lies on the DLQ: `partition:offset`, its id for operators. */
export interface ListedDeadLetter extends DeadLetter {
  id: string;
}

const ID = /^(\d{1,9}):(\d{1,19})$/;

/** Whether `id` has the shape of a dead letter's id (`partition:offset`). */
export const isDeadLetterId = (id: string) => ID.test(id);

/**
 * The dead letters on the DLQ topic, read and re-sent to where they came from; one implementation
 * for `npm run dlq` and the orchestrator's `/dead-letters` (docs/reliability.md).
 */
export class DeadLetterQueue {
  constructor(
    private readonly kafka: Kafka,
    /** The DLQ's logical name (`fil.dlq.v1`). */
    private readonly topic: string,
  ) {}

  /** Every dead letter, or the `newest` of each partition (the newest of all are among them), oldest first. */
  async list(newest?: number): Promise<ListedDeadLetter[]> {
    const seen = new Set<string>();
    const keep = (partition: number, message: KafkaMessage) => {
      // The relay may publish a dead letter twice (crash before its mark): its ce_id tells.
      const ceId = decodeHeaders(message).ce_id;
      if (ceId && seen.has(ceId)) return undefined;
      if (ceId) seen.add(ceId);
      return this.listed(`${partition}:${message.offset}`, message);
    };
    const letters = await readTopic(this.kafka, this.topic, keep, newest === undefined ? undefined : { newest });
    return letters.sort((a, b) => a.rejectedAt.localeCompare(b.rejectedAt));
  }

  /** The dead letter `id`, read alone from where it lies; undefined when there is none. */
  async find(id: string): Promise<ListedDeadLetter | undefined> {
    const match = ID.exec(id);
    if (!match) return undefined;
    const [letter] = await readTopic(
      this.kafka,
      this.topic,
      (_, message) => this.listed(id, message),
      { partition: Number(match[1]), offset: match[2] },
    );
    return letter;
  }

  /** The dead letter at `id`, or undefined, with a warning, for a record some other writer put on the DLQ. */
  private listed(id: string, message: KafkaMessage): ListedDeadLetter | undefined {
    const letter = message.value && readDeadLetter(message.value);
    if (!letter) new Logger('DeadLetterQueue').warn(`${id} on ${this.topic} is not a dead letter (not written by Fil): left out`);
    return letter ? { ...letter, id } : undefined;
  }

  /**
   * Sends each letter's original message again to its topic, with its own headers plus
   * REDRIVE_HEADER: the consumer that dead-lettered it handles it once, however often it comes.
   */
  async redrive(letters: ListedDeadLetter[], sent: (letter: ListedDeadLetter) => void = () => {}): Promise<void> {
    const producer: Producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      for (const letter of letters) {
        const { key, value, headers } = await this.original(letter);
        await producer.send({ topic: physicalTopic(letter.originalTopic), acks: -1, messages: [{ key, value, headers: { ...headers, [REDRIVE_HEADER]: letter.id } }] });
        sent(letter);
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** The original message: from the dead letter when it kept it whole, else from its topic, checked against its digest. */
  private async original(letter: ListedDeadLetter): Promise<{ key: string | null; value: Buffer | null; headers: IHeaders }> {
    if (!letter.truncated) return { key: letter.key, value: letter.value === null ? null : Buffer.from(letter.value), headers: letter.headers };
    const [message] = await readTopic(this.kafka, letter.originalTopic, (_, found) => (found.offset === letter.offset ? found : undefined), {
      partition: letter.partition,
      offset: letter.offset,
    });
    const digest = message?.value && createHash('sha256').update(message.value).digest('hex');
    if (!message || digest !== letter.valueSha256) {
      throw new Error(`${letter.id}: the original at ${letter.originalTopic}/${letter.partition}@${letter.offset} is no longer on its topic`);
    }
    return { key: message.key?.toString('utf8') ?? null, value: message.value, headers: decodeHeaders(message) };
  }
}
