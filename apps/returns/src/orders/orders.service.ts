import { Injectable } from '@nestjs/common';
import { ReturnsService } from '../returns/returns.service';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderEvent, type OrderLine } from '@fil/contracts';
import { parseMessage, type HandlerOptions, type IncomingMessage } from '@fil/messaging';
import { applyInBulk } from './bulk-views';
import { OrderView } from './order-view.entity';

@Injectable()
export class OrdersService {
  constructor(private readonly returns: ReturnsService) {}

  /** A batch's views are read in one query and written by one upsert (bulk-views.ts). */
  readonly batch: HandlerOptions = {
    handleBatch: async (messages, em) => {
      // The orders of the events read, as they are read: those the batch applies.
      const applied = new Set<string>();
      const rest = await applyInBulk(messages, em, (value) => {
        const event = readOrderEvent(value);
        applied.add(event.orderId);
        return event;
      });
      await this.returns.retakeRefusedForNow(em, [...applied]);
      return rest;
    },
  };

  /** Keeps the order view current from every order event, whatever its ce_type; a redelivery changes nothing. */
  async handleOrderEvent(message: IncomingMessage, em: EntityManager): Promise<void> {
    const event = readOrderEvent(message.value);
    const existing = await em.findOne(OrderView, { orderId: event.orderId });
    const view = existing ?? new OrderView(event.orderId);
    view.traceparent ??= message.traceparent;
    if (!view.apply(event, new Date())) return;
    if (!existing) em.persist(view);
    await em.flush();
    await this.returns.retakeRefusedForNow(em, [event.orderId]);
  }
}

/** Only orderId and status are required (OrderEvent); malformed lines are dropped rather than failing the event. */
function readOrderEvent(value: unknown): OrderEvent {
  const event = parseMessage(OrderEvent, value);
  const lines = Array.isArray(event.lines) ? event.lines.filter(isPricedLine) : [];
  return { ...event, lines, allocations: event.allocations ?? [] };
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
