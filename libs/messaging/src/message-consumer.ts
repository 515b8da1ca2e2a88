import { Logger } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { Topics } from '@fil/contracts';
import { describeError, inTrace } from '@fil/observability';
import { logicalTopic, physicalTopic } from './kafka';
import { claimMessages, type Claim } from './handled-messages';
import { decodeMessage, InvalidMessage, type DecodedMessage, type IncomingMessage } from './message';
import type { Outbox } from './outbox';

/** Handles one message inside the transaction that also records it as handled. */
export type MessageHandler = (message: IncomingMessage<any>, em: EntityManager) => Promise<void>;

export interface HandlerOptions {
  /**
   * Runs once in a batch's transaction before its messages are handled, with the
   * valid messages not handled before. For locking every row the batch will touch
   * in one global order, so that concurrent batches queue instead of deadlocking.
   */
  prepareBatch?: (messages: IncomingMessage<any>[], em: EntityManager) => Promise<void>;
  /**
   * Handles many messages of a batch at once, with set-based SQL instead of a few round
   * trips per message; returns the messages it left for the per-message handler. If it
   * throws, the batch rolls back and every message goes through the per-message handler.
   */
  handleBatch?: (messages: IncomingMessage<any>[], em: EntityManager) => Promise<IncomingMessage<any>[]>;
}

export interface MessageConsumerOptions {
  /** Names the consumer group and the dedupe scope. */
  service: string;
  /**
   * Whether a message on `topic` with this ce_source ('' when absent) may have an effect; any
   * other goes to the DLQ. The apps give the contract's rule: this library knows no topic.
   */
  acceptsSource: (topic: string, source: string) => boolean;
  /** Messages handled in one database transaction. */
  batchSize?: number;
  /** Attempts for a message whose handler keeps failing before it goes to the DLQ. */
  maxAttempts?: number;
  retryDelayMs?: number;
  partitionsConsumedConcurrently?: number;
}

/**
 * The one way Fil services consume Kafka. A fetched batch is handled in one
 * database transaction together with the (source, id) of the messages it handled,
 * so a redelivered message is skipped and throughput is not bound to one commit per
 * message. When any message of a batch fails, the batch is rolled back and its
 * messages are retried one by one; one that cannot be accepted (invalid, from a
 * source its topic does not take, reusing an id for other content, or still failing
 * after bounded retries) goes to `fil.dlq.v1` with the reason and the partition moves on.
 */
export class MessageConsumer {
  private readonly logger = new Logger('MessageConsumer');
  private readonly handlers = new Map<string, { handle: MessageHandler } & HandlerOptions>();
  private consumer?: Consumer;

  constructor(
    private readonly orm: MikroORM,
    private readonly kafka: Kafka,
    private readonly outbox: Outbox,
    private readonly options: MessageConsumerOptions,
  ) {}

  on(topic: string, handle: MessageHandler, options: HandlerOptions = {}): void {
    if (this.consumer) throw new Error(`subscribe to ${topic} before the consumer starts`);
    this.handlers.set(topic, { handle, ...options });
  }

  async start(): Promise<void> {
    if (!this.handlers.size || this.consumer) return;
    this.consumer = this.kafka.consumer({
      groupId: physicalTopic(`fil.${this.options.service}`),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.handlers.keys()].map(physicalTopic), fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 2,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload) {
    const size = this.options.batchSize ?? 200;
    const topic = logicalTopic(batch.topic);
    for (let start = 0; start < batch.messages.length; start += size) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(start, start + size);
      const decoded = chunk.map((message) => this.decode(topic, batch.partition, message));
      try {
        await this.handleTogether(decoded);
      } catch (error) {
        if (decoded.length > 1) {
          this.logger.warn(`batch of ${decoded.length} on ${topic} failed (${describeError(error)}); retrying one by one`);
        }
        for (const one of decoded) {
          await this.handleAlone(one);
          await heartbeat();
        }
      }
      resolveOffset(chunk[chunk.length - 1].offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /** Decodes a record, refused if its topic does not take messages from its source. */
  private decode(topic: string, partition: number, record: KafkaMessage): DecodedMessage {
    const decoded = decodeMessage(topic, partition, record);
    const { source } = decoded.message;
    if (this.options.acceptsSource(topic, source)) return decoded;
    return { ...decoded, invalid: `${topic} does not accept messages ${source ? `from source ${source}` : 'without a ce_source'}` };
  }

  private async handleTogether(batch: DecodedMessage[]): Promise<void> {
    // The batch's outgoing messages are written in one statement at its end, in its transaction.
    await this.orm.em.fork().transactional((tx) => this.outbox.batched(tx, () => this.handleIn(tx, batch)));
  }

  private async handleIn(tx: EntityManager, batch: DecodedMessage[]): Promise<void> {
    const claims = await this.claim(tx, batch);
    const steps = batch.map(({ message, invalid }, index) => ({
      message,
      claim: claims[index],
      refusal: invalid ?? (claims[index] === 'conflict' ? reusedId(message) : undefined),
    }));
    const valid = steps.filter(({ claim, refusal }) => claim === 'fresh' && !refusal).map(({ message }) => message);
    const { prepareBatch, handleBatch } = this.handlers.get(batch[0].message.topic) ?? {};
    await prepareBatch?.(valid, tx);
    const left = new Set(handleBatch ? await handleBatch(valid, tx) : valid);
    if (handleBatch) {
      await tx.flush();
      tx.clear();
    }
    for (const { message, claim, refusal } of steps) {
      if (claim === 'redelivered' || (!refusal && !left.has(message))) continue;
      if (refusal) await this.deadLetter(tx, message, refusal);
      else await this.dispatch(tx, message);
      // Each flush walks every managed entity: clearing after each message keeps a batch
      // linear in its size. Later messages read what earlier ones wrote from the transaction.
      await tx.flush();
      tx.clear();
    }
  }

  private async handleAlone(decoded: DecodedMessage): Promise<void> {
    const { message } = decoded;
    const maxAttempts = this.options.maxAttempts ?? 3;
    let reason = decoded.invalid;
    for (let attempt = 1; !reason && attempt <= maxAttempts; attempt += 1) {
      try {
        await this.orm.em.fork().transactional(async (tx) => {
          const [claim] = await this.claim(tx, [decoded]);
          if (claim === 'conflict') throw new InvalidMessage(reusedId(message));
          if (claim === 'fresh') await this.dispatch(tx, message);
        });
        return;
      } catch (error) {
        if (error instanceof InvalidMessage) reason = error.message;
        else if (attempt === maxAttempts) reason = `failed after ${maxAttempts} attempts: ${describeError(error)}`;
        else await sleep((this.options.retryDelayMs ?? 200) * 2 ** (attempt - 1));
      }
    }
    this.logger.warn(`message ${message.id} on ${message.topic} goes to the DLQ: ${reason}`);
    await this.orm.em.fork().transactional(async (tx) => {
      const [claim] = await this.claim(tx, [decoded]);
      if (claim !== 'redelivered') await this.deadLetter(tx, message, reason!);
    });
  }

  private dispatch(tx: EntityManager, message: IncomingMessage): Promise<void> {
    const { handle } = this.handlers.get(message.topic)!;
    return inTrace(
      `consume ${message.topic}${message.type ? ` ${message.type}` : ''}`,
      message.traceparent,
      {
        'messaging.system': 'kafka',
        'messaging.destination.name': message.topic,
        'messaging.kafka.partition': message.partition,
        'messaging.kafka.offset': message.offset,
        'messaging.message.id': message.id,
        'messaging.kafka.message.key': message.key,
      },
      () => handle(message, tx),
      SpanKind.CONSUMER,
    );
  }

  private claim(tx: EntityManager, batch: DecodedMessage[]): Promise<Claim[]> {
    const claimable = batch.map(({ message, digest }) => ({ source: message.source, id: message.id, digest }));
    return claimMessages(tx, this.options.service, claimable);
  }

  private deadLetter(tx: EntityManager, message: IncomingMessage, reason: string): Promise<void> {
    return this.outbox.add(tx, {
      topic: Topics.dlq,
      key: message.key ?? '',
      type: 'MessageRejected',
      data: {
        originalTopic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key: message.key ?? null,
        headers: message.headers,
        value: message.raw,
        reason,
        consumer: this.options.service,
        rejectedAt: new Date().toISOString(),
      },
    });
  }
}

const reusedId = ({ id, source }: IncomingMessage) =>
  `message id ${id} from source ${source || '(none)'} was already used for different content`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
