import type { EntityManager } from '@mikro-orm/postgresql';
import { currentTraceparent } from '@fil/observability';
import { executeBound } from '@fil/persistence';
import { cloudEventHeaders, MAX_MESSAGE_BYTES, messageBytes, MessageTooLarge, type OutgoingMessage } from './message';

/** One outbox row, its headers fixed when the message was added (trace context included). */
type Row = [messageId: string, topic: string, key: string | null | undefined, type: string, headers: string, payload: string];

/**
 * Writes outgoing messages into the service's outbox table inside the caller's
 * transaction, so the event commits or vanishes together with the state change.
 * The relay publishes them afterwards.
 */
export class Outbox {
  /** Transactions whose messages are held back and written in one statement (see `batched`). */
  private readonly pending = new WeakMap<EntityManager, Row[]>();

  constructor(private readonly service: string) {}

  /** Throws `MessageTooLarge` for a message over `MAX_MESSAGE_BYTES`: the caller's transaction rolls back instead of leaving a row the broker would refuse. */
  async add(em: EntityManager, ...messages: OutgoingMessage[]): Promise<void> {
    if (!messages.length) return;
    const traceparent = currentTraceparent();
    const rows = messages.map((message): Row => {
      const headers = cloudEventHeaders(this.service, message, traceparent);
      const payload = JSON.stringify(message.data);
      const bytes = messageBytes(message.key, payload, headers);
      if (bytes > MAX_MESSAGE_BYTES) {
        throw new MessageTooLarge(`${message.type} for ${message.topic} would be ${bytes} bytes, over the limit of ${MAX_MESSAGE_BYTES} bytes`);
      }
      return [headers.ce_id, message.topic, message.key, message.type, JSON.stringify(headers), payload];
    });
    const held = this.pending.get(em);
    if (held) held.push(...rows);
    else await this.insert(em, rows);
  }

  /**
   * Runs `work` with the messages it adds through `em` held back, then writes them all in
   * one statement, still inside the transaction: a batch of consumed messages costs one
   * outbox insert instead of one per message sent. Order is kept.
   */
  async batched<T>(em: EntityManager, work: () => Promise<T>): Promise<T> {
    if (this.pending.has(em)) return work();
    this.pending.set(em, []);
    try {
      const result = await work();
      await this.insert(em, this.pending.get(em)!);
      return result;
    } finally {
      this.pending.delete(em);
    }
  }

  private async insert(em: EntityManager, rows: Row[]): Promise<void> {
    // PostgreSQL takes at most 65,535 parameters per statement.
    for (let start = 0; start < rows.length; start += 5_000) {
      const chunk = rows.slice(start, start + 5_000);
      await executeBound(
        em,
        `insert into outbox_message (message_id, topic, message_key, type, headers, payload) values ${chunk.map(() => '(?, ?, ?, ?, ?::jsonb, ?)').join(', ')}`,
        chunk.flat(),
      );
    }
  }
}
