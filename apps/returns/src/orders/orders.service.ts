import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { EARLIEST_TIME, isTimeWithin, LATEST_TIME, ORDER_STATUSES, unsafeInput, type OrderEvent, type OrderLine } from '@fil/contracts';
import { InvalidMessage, type IncomingMessage } from '@fil/messaging';
import { OrderView } from './order-view.entity';

@Injectable()
export class OrdersService {
  /** Keeps the order view current from every order event, whatever its ce_type; a redelivery changes nothing. */
  async handleOrderEvent(message: IncomingMessage, em: EntityManager): Promise<void> {
    const event = readOrderEvent(message.value);
    const existing = await em.findOne(OrderView, { orderId: event.orderId });
    const view = existing ?? new OrderView(event.orderId);
    view.traceparent ??= message.traceparent;
    if (!view.apply(event, new Date())) return;
    if (!existing) em.persist(view);
    // Flushed now so that a later event of the same order in this batch finds the row.
    await em.flush();
  }
}

/** Only orderId and status are required; malformed lines are dropped rather than failing the event. */
function readOrderEvent(value: unknown): OrderEvent {
  const event = value as Partial<OrderEvent> | null;
  if (!event || typeof event !== 'object' || typeof event.orderId !== 'string' || !event.orderId) {
    throw new InvalidMessage('orderId: must be a non-empty string');
  }
  if (!ORDER_STATUSES.includes(event.status as never)) throw new InvalidMessage(`status: ${String(event.status)} is not an order status`);
  const unsafe = unsafeInput(event);
  if (unsafe.length) throw new InvalidMessage(unsafe.join('; '));
  if (event.occurredAt !== undefined && !isTimeWithin(event.occurredAt, EARLIEST_TIME, LATEST_TIME)) {
    throw new InvalidMessage('occurredAt: must be an ISO 8601 date-time from 2000-01-01 to 2100-01-01');
  }
  const lines = Array.isArray(event.lines) ? event.lines.filter(isPricedLine) : [];
  return { ...event, lines, allocations: event.allocations ?? [] } as OrderEvent;
}

function isPricedLine(line: Partial<OrderLine>): boolean {
  return (
    typeof line?.sku === 'string' &&
    Number.isInteger(line.quantity) &&
    line.quantity! > 0 &&
    typeof line.unitPrice === 'number' &&
    Number.isFinite(line.unitPrice)
  );
}
