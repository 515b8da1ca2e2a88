import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Topics, unsafeInput } from '@fil/contracts';
import type { HandlerOptions, IncomingMessage } from '@fil/messaging';
import { lockOrders } from '../orders/order-lock';
import { StockService } from '../stock/stock.service';
import { OrderCancellation } from './cancellation';

/**
 * The orchestrator takes its messages a batch at a time: the orders a batch names are locked
 * in one query, the stock of their SKUs and the CancelOrders kept for them read once; each
 * message's step then runs in memory, and the batch is written by one flush (a set-based
 * statement per table) and one outbox insert.
 */
@Injectable()
export class OrderBatches {
  readonly options: HandlerOptions = {
    flushOnce: true,
    prepareBatch: (messages, em) => this.prepare(messages, em),
    finishBatch: (em) => this.stock.finishBatch(em),
  };

  constructor(
    private readonly stock: StockService,
    private readonly cancellation: OrderCancellation,
  ) {}

  private async prepare(messages: IncomingMessage[], em: EntityManager): Promise<void> {
    const orders = await lockOrders(em, messages.flatMap(({ value }) => orderIdsOf(value)));
    const submitted = messages.filter((message) => message.topic === Topics.ordersSubmitted).map(({ value }) => value);
    if (submitted.length) await this.cancellation.loadKept(em, submitted.flatMap(orderIdsOf));
    const skus = [...submitted.flatMap(skusOf), ...orders.flatMap((order) => order.lines.map((line) => line.sku))];
    await this.stock.loadForBatch(em, [...new Set(skus)]);
  }
}

/** The orders a message is about: its `orderId`, or a shortage's reservations'. */
function orderIdsOf(value: unknown): string[] {
  const { orderId, reservations } = (value ?? {}) as { orderId?: unknown; reservations?: unknown };
  const ids = Array.isArray(reservations) ? reservations.map((reservation) => (reservation as { orderId?: unknown })?.orderId) : [orderId];
  return ids.filter(isStorable);
}

function skusOf(value: unknown): string[] {
  const { lines } = (value ?? {}) as { lines?: unknown };
  return Array.isArray(lines) ? lines.map((line) => (line as { sku?: unknown })?.sku).filter(isStorable) : [];
}

// A NUL byte would fail the batch's query: such an id is left to its message's own handler, which refuses it.
const isStorable = (id: unknown): id is string => typeof id === 'string' && id.length > 0 && !unsafeInput(id).length;
