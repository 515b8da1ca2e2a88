import type { EntityManager } from '@mikro-orm/postgresql';
import { SpanKind } from '@opentelemetry/api';
import { InvalidMessage, type IncomingMessage } from '@fil/messaging';
import { inTrace } from '@fil/observability';
import type { OrderEvent } from '@fil/contracts';
import { executeBound } from '@fil/persistence';
import { OrderView, type OrderViewLine } from './order-view.entity';

interface OrderViewRow {
  order_id: string;
  status: OrderView['status'];
  currency: string | null;
  channel: string | null;
  lines: OrderViewLine[];
  delivered_at: string | null;
  delivered: Record<string, number> | null;
  last_event_at: string | null;
  traceparent: string | null;
  updated_at: string;
}

/**
 * A batch of order events in two statements: the views they name read at once, each event
 * applied in arrival order by the entity's own rule, every view changed written back by one
 * upsert. Takes the batch's leading run of valid events; from the first invalid one on, the
 * rest is returned for the per-message handler, which refuses it.
 */
export async function applyInBulk(messages: IncomingMessage[], em: EntityManager, read: (value: unknown) => OrderEvent): Promise<IncomingMessage[]> {
  const events: { message: IncomingMessage; event: OrderEvent }[] = [];
  for (const message of messages) {
    try {
      events.push({ message, event: read(message.value) });
    } catch (error) {
      if (!(error instanceof InvalidMessage)) throw error;
      break;
    }
  }
  if (!events.length) return messages;

  const ids = [...new Set(events.map(({ event }) => event.orderId))];
  const rows = await executeBound<OrderViewRow>(
    em,
    `select order_id, status, currency, channel, lines, to_json(delivered_at) as delivered_at, delivered, to_json(last_event_at) as last_event_at, traceparent, to_json(updated_at) as updated_at
       from order_view where order_id in (select jsonb_array_elements_text(?::jsonb))`,
    [JSON.stringify(ids)],
  );
  const views = new Map(rows.map((row) => [row.order_id, fromRow(row)]));
  const changed = new Set<OrderView>();
  for (const { message, event } of events) {
    await inTrace(
      `consume ${message.topic}${message.type ? ` ${message.type}` : ''}`,
      message.traceparent,
      { 'messaging.system': 'kafka', 'messaging.destination.name': message.topic, 'messaging.message.id': message.id, 'fil.batch.size': events.length },
      async () => {
        const view = views.get(event.orderId) ?? new OrderView(event.orderId);
        const known = views.has(event.orderId);
        const traced = view.traceparent === undefined && message.traceparent !== undefined;
        view.traceparent ??= message.traceparent;
        const applied = view.apply(event, new Date());
        // A view is created only by an event it takes; a known one is written when anything of it changed.
        if (!known && !applied) return;
        views.set(event.orderId, view);
        if (applied || traced) changed.add(view);
      },
      SpanKind.CONSUMER,
    );
  }
  if (changed.size) {
    await executeBound(
      em,
      `insert into order_view (order_id, status, currency, channel, lines, delivered_at, delivered, last_event_at, traceparent, updated_at)
       select order_id, status, currency, channel, lines, delivered_at, delivered, last_event_at, traceparent, updated_at
         from jsonb_to_recordset(?::jsonb)
           as v(order_id text, status text, currency text, channel text, lines jsonb, delivered_at timestamptz, delivered jsonb, last_event_at timestamptz, traceparent text, updated_at timestamptz)
       on conflict (order_id) do update set
         status = excluded.status, currency = excluded.currency, channel = excluded.channel, lines = excluded.lines, delivered_at = excluded.delivered_at,
         delivered = excluded.delivered, last_event_at = excluded.last_event_at, traceparent = excluded.traceparent, updated_at = excluded.updated_at`,
      [JSON.stringify([...changed].map(toRow))],
    );
  }
  return messages.slice(events.length);
}

function fromRow(row: OrderViewRow): OrderView {
  const view = new OrderView(row.order_id);
  view.status = row.status;
  view.currency = row.currency ?? undefined;
  view.channel = row.channel ?? undefined;
  view.lines = row.lines;
  view.deliveredAt = row.delivered_at ? new Date(row.delivered_at) : undefined;
  view.delivered = row.delivered;
  view.lastEventAt = row.last_event_at ? new Date(row.last_event_at) : undefined;
  view.traceparent = row.traceparent ?? undefined;
  view.updatedAt = new Date(row.updated_at);
  return view;
}

function toRow(view: OrderView): OrderViewRow {
  return {
    order_id: view.orderId,
    status: view.status,
    currency: view.currency ?? null,
    channel: view.channel ?? null,
    lines: view.lines,
    delivered_at: view.deliveredAt?.toISOString() ?? null,
    delivered: view.delivered ?? null,
    last_event_at: view.lastEventAt?.toISOString() ?? null,
    traceparent: view.traceparent ?? null,
    updated_at: view.updatedAt.toISOString(),
  };
}
