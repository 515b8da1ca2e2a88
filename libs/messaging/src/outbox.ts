import type { EntityManager } from '@mikro-orm/postgresql';
import { currentTraceparent } from '@fil/observability';
import { cloudEventHeaders, type OutgoingMessage } from './message';

/**
 * Writes outgoing messages into the service's outbox table inside the caller's
 * transaction, so the event commits or vanishes together with the state change.
 * The relay publishes them afterwards.
 */
export class Outbox {
  constructor(private readonly service: string) {}

  async add(em: EntityManager, ...messages: OutgoingMessage[]): Promise<void> {
    if (!messages.length) return;
    const traceparent = currentTraceparent();
    const values: unknown[] = [];
    const rows = messages.map((message) => {
      const headers = cloudEventHeaders(this.service, message, traceparent);
      values.push(headers.ce_id, message.topic, message.key, message.type, JSON.stringify(headers), JSON.stringify(message.data));
      return '(?, ?, ?, ?, ?::jsonb, ?)';
    });
    await em.execute(
      `insert into outbox_message (message_id, topic, message_key, type, headers, payload) values ${rows.join(', ')}`,
      values,
      'run',
    );
  }
}
