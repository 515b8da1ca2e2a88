import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import type { HandlerOptions, IncomingMessage } from '@fil/messaging';
import { idsNamed } from '@fil/persistence';
import { lockOrderIds, lockOrders } from '../orders/order-lock';
import { StockService } from '../stock/stock.service';
import { EarlyCancellations } from './early-cancellations';

/**
 * The orchestrator takes its messages a batch at a time: the orders a batch names are locked
 * in one query, the CancelOrders kept for them read once, the stock of their SKUs once if any
 * message routes; each message's step then runs in memory, and the batch is written by one
 * flush (a set-based statement per table) and one outbox insert.
 */
@Injectable()
export class OrderBatches {
  readonly options: HandlerOptions = {
    flushOnce: true,
    prepareBatch: (messages, em) => this.prepare(messages, em),
    finishBatch: (em) => this.stock.finishBatch(em),
  };

  /**
   * A batch of commands (CancelOrder, EditOrder) takes its order ids' locks up front, in the
   * order a batch of submissions takes them: one by one, in message order, the two deadlocked.
   */
  readonly commandOptions: HandlerOptions = {
    prepareBatch: (messages, em) => lockOrderIds(em, messages.flatMap(({ value }) => orderIdsOf(value))),
  };

  constructor(
    private readonly stock: StockService,
    private readonly early: EarlyCancellations,
  ) {}

  private async prepare(messages: IncomingMessage[], em: EntityManager): Promise<void> {
    const submitted = messages.filter((message) => message.topic === Topics.ordersSubmitted).map(({ value }) => value);
    const submittedIds = submitted.flatMap(orderIdsOf);
    if (submittedIds.length) await lockOrderIds(em, submittedIds);
    const orders = await lockOrders(em, messages.flatMap(({ value }) => orderIdsOf(value)));
    if (submittedIds.length) await this.early.loadKept(em, submittedIds);
    const skus = [...submitted.flatMap(skusOf), ...orders.flatMap((order) => order.lines.map((line) => line.sku))];
    this.stock.startBatch(em, [...new Set(skus)]);
  }
}

/** The orders a message is about: its `orderId`, or a shortage's reservations'. */
function orderIdsOf(value: unknown): string[] {
  const reservations = (value as { reservations?: unknown } | null)?.reservations;
  return Array.isArray(reservations) ? idsNamed(reservations, 'orderId') : idsNamed([value], 'orderId');
}

function skusOf(value: unknown): string[] {
  const lines = (value as { lines?: unknown } | null)?.lines;
  return Array.isArray(lines) ? idsNamed(lines, 'sku') : [];
}
