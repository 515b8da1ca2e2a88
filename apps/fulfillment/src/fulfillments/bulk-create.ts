import type { EntityManager } from '@mikro-orm/postgresql';
import { SpanKind } from '@opentelemetry/api';
import { CreateFulfillment, FulfillmentCommandTypes, validateAs } from '@fil/contracts';
import type { IncomingMessage } from '@fil/messaging';
import { inTrace } from '@fil/observability';
import { Fulfillment } from './fulfillment.entity';

/**
 * A batch's `CreateFulfillment` commands in three statements instead of the unit of work's
 * bookkeeping for each: the fulfillments they name locked in id order (one that exists was
 * created by an earlier copy of its command and changes nothing, as one at a time), the new
 * ones inserted at once, their events added to the outbox in arrival order. Takes the batch's
 * leading run of valid CreateFulfillment commands; from the first message it cannot take
 * (another type, an invalid one, a fulfillment id repeated) on, the rest is returned for the
 * per-message handler, so arrival order is kept.
 */
export async function createInBulk(
  messages: IncomingMessage[],
  em: EntityManager,
  announce: (em: EntityManager, fulfillment: Fulfillment) => Promise<void>,
): Promise<IncomingMessage[]> {
  const commands: { message: IncomingMessage; command: CreateFulfillment }[] = [];
  const ids = new Set<string>();
  for (const message of messages) {
    const checked = message.type === FulfillmentCommandTypes.create ? validateAs(CreateFulfillment, message.value) : undefined;
    if (!checked?.ok || ids.has(checked.value.fulfillmentId)) break;
    ids.add(checked.value.fulfillmentId);
    commands.push({ message, command: checked.value });
  }
  if (!commands.length) return messages;

  const known = new Set(
    (
      await em.execute<{ id: string }[]>('select id from fulfillment where id in (select jsonb_array_elements_text(?::jsonb)) order by id for update', [JSON.stringify([...ids])])
    ).map((row) => row.id),
  );
  const created: Fulfillment[] = [];
  for (const { message, command } of commands) {
    if (known.has(command.fulfillmentId)) continue;
    await inTrace(
      `consume ${message.topic} ${message.type}`,
      message.traceparent,
      { 'messaging.system': 'kafka', 'messaging.destination.name': message.topic, 'messaging.message.id': message.id, 'fil.batch.size': commands.length },
      async () => {
        const fulfillment = new Fulfillment(command, message.traceparent);
        created.push(fulfillment);
        await announce(em, fulfillment);
      },
      SpanKind.CONSUMER,
    );
  }
  if (created.length) await em.insertMany(created);
  return messages.slice(commands.length);
}
