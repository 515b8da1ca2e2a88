import { Logger } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { Topics } from '@fil/contracts';
import { describeError, inTrace } from '@fil/observability';
import { logicalTopic, physicalTopic } from './kafka';
import { claimMessages, markDeadLettered, recordOf, type Claim } from './handled-messages';
import { FetchGathering, PARTITIONS_AT_ONCE } from './fetch-gathering';
import { messagingInstruments } from './messaging-metrics';
import { deadLetterId, deadLetterOf } from './dead-letter';
import { decodeMessage, InvalidMessage, type DecodedMessage, type IncomingMessage } from './message';
import type { Outbox } from './outbox';

/** A partition's batch of one fetch: how many of its messages are handled, and whether it stopped at one that fails. */
interface PartitionBatch {
  payload: EachBatchPayload;
  next: number;
  held: boolean;
}

/** The next messages to handle, up to `size`, partition after partition; none of a partition held, revoked or sought elsewhere. */
function nextChunk(batches: PartitionBatch[], size: number): { batch: PartitionBatch; messages: KafkaMessage[] }[] {
  const chunk: { batch: PartitionBatch; messages: KafkaMessage[] }[] = [];
  let room = size;
  for (const batch of batches) {
    const { payload, next, held } = batch;
    if (!room) break;
    if (held || next >= payload.batch.messages.length || !payload.isRunning() || payload.isStale()) continue;
    const messages = payload.batch.messages.slice(next, next + room);
    chunk.push({ batch, messages });
    room -= messages.length;
  }
  return chunk;
}

/** How long the broker holds a fetch that finds nothing; also how long a resumed partition or a stop may wait for the fetch in flight. */
const IDLE_FETCH_WAIT_MS = 500;

/** A decoded message, with why its topic does not take it from its source, if so. */
type Received = DecodedMessage & { forged?: string };

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
  /**
   * The handler finds what earlier messages of its batch did in the EntityManager (what
   * `prepareBatch` loaded, what they changed), never by reading the database again: the
   * batch is then flushed once at its end, one set-based write per table, instead of once
   * per message. Alone (after a failed batch) a message is flushed as always.
   */
  flushOnce?: boolean;
  /** Runs after a `flushOnce` batch's messages, before its flush: for writes gathered over the batch. */
  finishBatch?: (em: EntityManager) => Promise<void>;
  /**
   * Answers the sender of a message refused for what it holds, before its handler ran (no
   * value, not JSON, too large; `value` is parsed when it is JSON) or by the database (a data
   * exception), in the transaction that dead-letters it. Not called for a message from a source
   * its topic does not take.
   */
  refused?: (message: IncomingMessage<any>, reason: string, em: EntityManager) => Promise<void>;
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
  /** Wait before a failing message is tried again, doubled at each failure up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/** A partition stopped at a message that keeps failing for a reason that may pass (shown by /health). */
export interface HeldPartition {
  topic: string;
  partition: number;
  offset: string;
  attempts: number;
  since: string;
  error: string;
}

/**
 * The one way Fil services consume Kafka. The messages of one fetch on one topic, over all
 * its partitions, are handled in one database transaction together with the (source, id)
 * of the messages it handled,
 * so a redelivered message is skipped and throughput is not bound to one commit per
 * message. When any message of a batch fails, the batch is rolled back and its
 * messages are handled one by one. One that can never be accepted (invalid, from a
 * source its topic does not take, reusing an id for other content, holding a value
 * the database refuses) goes to `fil.dlq.v1` with the reason at once. Any other failure may pass: the partition is
 * paused at that message, with its offset not committed, and tried again with a growing
 * delay for as long as it takes, while the other partitions go on (`held()`).
 */
export class MessageConsumer {
  private readonly logger = new Logger('MessageConsumer');
  private readonly handlers = new Map<string, { handle: MessageHandler } & HandlerOptions>();
  private readonly holds = new Map<string, HeldPartition>();
  private readonly lags = new Map<string, { topic: string; partition: number; lag: number }>();
  private readonly retries = new Set<NodeJS.Timeout>();
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
      // The broker answers a fetch as soon as a message arrives: this only says how often an idle
      // consumer asks again. Every 100 ms kept the four services at 0.30 of a core at 1 order/s (docs/benchmarks.md).
      maxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
    });
    // A partition given to another member is no longer ours to report.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const partitions of [this.holds, this.lags]) {
        for (const [key, { topic, partition }] of partitions) {
          if (!payload.memberAssignment[physicalTopic(topic)]?.includes(partition)) partitions.delete(key);
        }
      }
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.handlers.keys()].map(physicalTopic), fromBeginning: true });
    const gathering = new FetchGathering((payloads) => this.handleFetched(payloads));
    await this.consumer.run({
      eachBatchAutoResolve: false,
      // kafkajs would commit after each partition's batch: a fetch over 13 partitions then cost 13
      // OffsetCommit requests queued on one connection (17 ms each here) before the next fetch.
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      eachBatch: (payload) => gathering.add(payload),
    });
  }

  async stop(): Promise<void> {
    // After the disconnect, which waits for the batches in progress: none can hold a partition any more.
    await this.consumer?.disconnect();
    this.consumer = undefined;
    for (const retry of this.retries) clearTimeout(retry);
    this.retries.clear();
    this.holds.clear();
    this.lags.clear();
  }

  /** How far behind the end of each partition this instance was after its last batch there. */
  lag(): { topic: string; partition: number; lag: number }[] {
    return [...this.lags.values()];
  }

  /** The partitions stopped at a message that keeps failing, with the error and since when. */
  held(): HeldPartition[] {
    return [...this.holds.values()];
  }

  /**
   * A fetch's batches, its topics at once (one transaction each, so that one waits on the database
   * while another computes); of one topic, many partitions' messages go in one transaction.
   */
  private async handleFetched(payloads: EachBatchPayload[]): Promise<void> {
    const byTopic = new Map<string, PartitionBatch[]>();
    for (const payload of payloads) {
      const batches = byTopic.get(payload.batch.topic) ?? byTopic.set(payload.batch.topic, []).get(payload.batch.topic)!;
      batches.push({ payload, next: 0, held: false });
    }
    await Promise.all([...byTopic.values()].map((batches) => this.handleTopic(batches)));
    // One commit for the whole fetch, of what its batches handled (kafkajs's autoCommit is off).
    const [first] = payloads;
    await first.commitOffsetsIfNecessary(first.uncommittedOffsets());
  }

  /**
   * Takes up to `batchSize` messages at a time across the partitions and handles them in one
   * transaction; when it fails, each partition's share is tried alone, then one message at a
   * time, and a partition stops at its message that fails while the others go on.
   */
  private async handleTopic(batches: PartitionBatch[]): Promise<void> {
    const topic = logicalTopic(batches[0].payload.batch.topic);
    const { heartbeat } = batches[0].payload;
    const size = this.options.batchSize ?? 200;
    for (let chunk = nextChunk(batches, size); chunk.length; chunk = nextChunk(batches, size)) {
      const shares = chunk.map(({ batch, messages }) => messages.map((message) => this.decode(topic, batch.payload.batch.partition, message)));
      const all = shares.flat();
      let outcomes: { handled: number; failure?: unknown }[];
      try {
        await this.handleTogether(all);
        outcomes = shares.map((share) => ({ handled: share.length }));
      } catch (error) {
        if (all.length > 1) {
          this.logger.warn(`batch of ${all.length} on ${topic} failed (${describeError(error)}); retrying ${shares.length > 1 ? 'partition by partition, then ' : ''}one by one`);
        }
        outcomes = [];
        for (const share of shares) outcomes.push(await this.handleApart(share, shares.length > 1, heartbeat));
      }
      for (const [index, { batch, messages }] of chunk.entries()) {
        const { handled, failure } = outcomes[index];
        const { partition } = batch.payload.batch;
        if (handled) {
          batch.payload.resolveOffset(messages[handled - 1].offset);
          const lag = Number(batch.payload.batch.highWatermark) - Number(messages[handled - 1].offset) - 1;
          this.lags.set(`${topic}:${partition}`, { topic, partition, lag: Math.max(0, lag) });
          messagingInstruments().consumed.add(handled, { topic });
        }
        batch.next += handled;
        if (handled < messages.length) {
          batch.held = true;
          this.hold(topic, partition, messages[handled].offset, failure, batch.payload.pause);
        } else {
          this.holds.delete(`${topic}:${partition}`);
        }
      }
      await heartbeat();
    }
  }

  /** One partition's share of a failed transaction: together if it was not alone in it, else (or then) one by one. */
  private async handleApart(share: Received[], together: boolean, heartbeat: () => Promise<void>): Promise<{ handled: number; failure?: unknown }> {
    if (together && share.length > 1) {
      try {
        await this.handleTogether(share);
        return { handled: share.length };
      } catch (error) {
        this.logger.warn(`batch of ${share.length} on ${share[0].message.topic}/${share[0].message.partition} failed (${describeError(error)}); retrying one by one`);
      }
    }
    return this.handleOneByOne(share, heartbeat);
  }

  /** Handles each message in its own transaction; stops at the first that fails for a reason that may pass. */
  private async handleOneByOne(batch: Received[], heartbeat: () => Promise<void>): Promise<{ handled: number; failure?: unknown }> {
    for (const [index, decoded] of batch.entries()) {
      try {
        await this.handleAlone(decoded);
      } catch (failure) {
        return { handled: index, failure };
      }
      await heartbeat();
    }
    return { handled: batch.length };
  }

  /** Pauses the partition at `offset`, to be fetched again from there after a delay that doubles with each failure. */
  private hold(topic: string, partition: number, offset: string, error: unknown, pause: () => () => void): void {
    const key = `${topic}:${partition}`;
    const previous = this.holds.get(key)?.offset === offset ? this.holds.get(key) : undefined;
    const held = { topic, partition, offset, attempts: (previous?.attempts ?? 0) + 1, since: previous?.since ?? new Date().toISOString(), error: describeError(error) };
    this.holds.set(key, held);
    const delay = Math.min(this.options.maxRetryDelayMs ?? 30_000, (this.options.retryDelayMs ?? 100) * 2 ** (held.attempts - 1));
    this.logger.warn(`message at ${topic}/${partition}@${offset} failed (attempt ${held.attempts}, since ${held.since}): ${held.error}; partition held, next try in ${delay} ms`);
    const resume = pause();
    const retry = setTimeout(() => {
      this.retries.delete(retry);
      resume();
    }, delay);
    this.retries.add(retry);
  }

  /** Decodes a record, refused if its topic does not take messages from its source. */
  private decode(topic: string, partition: number, record: KafkaMessage): Received {
    const decoded = decodeMessage(topic, partition, record);
    const { source } = decoded.message;
    if (this.options.acceptsSource(topic, source)) return decoded;
    return { ...decoded, forged: `${topic} does not accept messages ${source ? `from source ${source}` : 'without a ce_source'}` };
  }

  private async handleTogether(batch: Received[]): Promise<void> {
    const started = performance.now();
    // The batch's outgoing messages are written in one statement at its end, in its transaction.
    await this.orm.em.fork().transactional((tx) => this.outbox.batched(tx, () => this.handleIn(tx, batch)));
    messagingInstruments().batchSeconds.record((performance.now() - started) / 1000, { topic: batch[0].message.topic });
  }

  private async handleIn(tx: EntityManager, batch: Received[]): Promise<void> {
    const claims = await this.claim(tx, batch);
    const steps = batch.map((decoded, index) => ({
      decoded,
      claim: claims[index],
      refusal: decoded.forged ?? decoded.invalid ?? (claims[index] === 'conflict' ? reusedId(decoded.message) : undefined),
    }));
    const valid = steps.filter(({ claim, refusal }) => claim === 'fresh' && !refusal).map(({ decoded }) => decoded.message);
    const { prepareBatch, handleBatch, flushOnce, finishBatch } = this.handlers.get(batch[0].message.topic) ?? {};
    await prepareBatch?.(valid, tx);
    const left = new Set(handleBatch ? await handleBatch(valid, tx) : valid);
    if (handleBatch) {
      await tx.flush();
      tx.clear();
    }
    for (const { decoded, claim, refusal } of steps) {
      if (claim === 'redelivered' || (!refusal && !left.has(decoded.message))) continue;
      if (refusal) await this.deadLetter(tx, decoded, claim, refusal, refusedForContent(decoded));
      else await this.dispatch(tx, decoded.message);
      if (flushOnce) continue;
      // Each flush walks every managed entity: clearing after each message keeps a batch
      // linear in its size. Later messages read what earlier ones wrote from the transaction.
      await tx.flush();
      tx.clear();
    }
    if (flushOnce) {
      await finishBatch?.(tx);
      await tx.flush();
      tx.clear();
    }
  }

  /** Handles one message, or dead-letters it when it can never be accepted; throws when it failed for a reason that may pass. */
  private async handleAlone(decoded: Received): Promise<void> {
    const { message } = decoded;
    let reason = decoded.forged ?? decoded.invalid;
    let answer = refusedForContent(decoded);
    if (!reason) {
      try {
        await this.orm.em.fork().transactional(async (tx) => {
          const [claim] = await this.claim(tx, [decoded]);
          if (claim === 'conflict') throw new InvalidMessage(reusedId(message));
          if (claim === 'fresh') await this.dispatch(tx, message);
        });
        return;
      } catch (error) {
        if (error instanceof InvalidMessage) reason = error.message;
        else if (isDataException(error)) {
          reason = `the database refused a value it holds: ${dataExceptionName(error)}`;
          answer = true;
        } else if (await this.operatorGaveUp(message)) reason = `dead-lettered by an operator; last error: ${describeError(error)}`;
        else throw error;
      }
    }
    await this.orm.em.fork().transactional(async (tx) => {
      const [claim] = await this.claim(tx, [decoded]);
      if (claim !== 'redelivered') await this.deadLetter(tx, decoded, claim, reason, answer);
    });
  }

  /**
   * Dead-letters a message a handler kept instead of applying (a command waiting for what it
   * names) once it can no longer apply: it goes to the DLQ as if refused on arrival, with the
   * reason, and a redrive may take it back. In `tx`, the handler's transaction.
   */
  async deadLetterKept(tx: EntityManager, message: IncomingMessage, reason: string): Promise<void> {
    const decoded: Received = { message, bytes: message.raw === null ? null : Buffer.from(message.raw), digest: '' };
    await this.deadLetter(tx, decoded, 'fresh', reason, false, ', kept until now,');
  }

  /** Whether an operator asked to dead-letter this message (`npm run dlq -- dead-letter`). */
  private async operatorGaveUp({ topic, partition, offset }: IncomingMessage): Promise<boolean> {
    const asked = await this.orm.em
      .fork()
      .execute('select 1 from dead_letter_request where consumer = ? and topic = ? and partition = ? and message_offset = ?', [this.options.service, topic, partition, offset])
      .catch(() => []);
    return asked.length > 0;
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
    const claimable = batch.map(({ message, digest }) => ({ source: message.source, id: message.id, digest, record: recordOf(message) }));
    return claimMessages(tx, this.options.service, claimable);
  }

  /** Best effort, in a savepoint: an answer that fails must not keep the message out of the DLQ. */
  private async answerSender(tx: EntityManager, message: IncomingMessage, reason: string): Promise<void> {
    const refused = this.handlers.get(message.topic)?.refused;
    if (!refused) return;
    await tx
      .transactional((savepoint) => refused(message, reason, savepoint))
      .catch((error) => this.logger.warn(`could not answer the sender of ${message.id} on ${message.topic}: ${describeError(error)}`));
  }

  /**
   * Publishes the dead letter; a message claimed here is noted as dead-lettered so that a redrive
   * may take it back, and the sender of one refused for what it holds may be answered.
   */
  private deadLetter(tx: EntityManager, decoded: Received, claim: Claim, reason: string, answer: boolean, note = ''): Promise<void> {
    const { message } = decoded;
    // In the message's trace: the dead letter and the answer to its sender are the end of its journey.
    return inTrace(`dead-letter ${message.topic}`, message.traceparent, { 'messaging.message.id': message.id }, async () => {
      this.logger.warn(`message ${message.id} on ${message.topic}${note} goes to the DLQ: ${reason}`);
      if (claim === 'fresh') await markDeadLettered(tx, this.options.service, [{ source: message.source, id: message.id, record: recordOf(message) }]);
      if (answer) await this.answerSender(tx, message, reason);
      messagingInstruments().deadLettered.add(1, { topic: message.topic });
      const deadLetter = deadLetterOf(decoded, reason, this.options.service);
      await this.outbox.add(tx, { topic: Topics.dlq, key: deadLetter.key ?? '', type: 'MessageRejected', data: deadLetter, id: deadLetterId(decoded, this.options.service) });
    });
  }
}

/** Refused for what it holds, so that its sender may be answered; not for where it came from. */
const refusedForContent = ({ invalid, forged }: Received): boolean => Boolean(invalid && !forged);

/**
 * PostgreSQL's class 22 (data exception: a value out of range, text it cannot read) and 54000
 * (a value too large to index): the same message fails the same way on every try, so retrying
 * would hold its partition for ever.
 */
const isDataException = (error: unknown): boolean => /^22[0-9A-Z]{3}$|^54000$/.test(sqlState(error));

const sqlState = (error: unknown): string => String((error as { code?: unknown })?.code ?? '');

/** PostgreSQL's names for the data exceptions a message's values can cause; its message may quote personal data, so it is not repeated. */
const DATA_EXCEPTIONS: Record<string, string> = {
  '22001': 'string data right truncation',
  '22003': 'numeric value out of range',
  '22007': 'invalid datetime format',
  '22008': 'datetime field overflow',
  '22021': 'character not in repertoire',
  '22P02': 'invalid text representation',
  '22P05': 'untranslatable character',
  '54000': 'program limit exceeded: a value too large to store or index',
};

function dataExceptionName(error: unknown): string {
  const state = sqlState(error);
  return DATA_EXCEPTIONS[state] ? `SQLSTATE ${state} (${DATA_EXCEPTIONS[state]})` : `SQLSTATE ${state}`;
}

const reusedId = ({ id, source }: IncomingMessage) =>
  `message id ${id} from source ${source || '(none)'} was already used for different content`;
