import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidMessage } from '@fil/messaging';
import type { Order } from '../orders/order.entity';
import { Compensation } from './compensation';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { lockOrder } from '../orders/order-lock';
import { PendingCancellation } from './pending-cancellation.entity';

/**
 * Cancelling an order, for a channel (CancelOrder) or a person (HTTP): accepted until a
 * part has shipped or been collected as far as the order knows; what fulfillment did in
 * the meantime is settled by Compensation. A CancelOrder travels on another topic than
 * its order and may overtake it: it is kept, and the order cancelled the moment it
 * arrives, never routed, unless it came more than FIL_EARLY_CANCEL_TTL_SECONDS (24 h) before.
 */
@Injectable()
export class OrderCancellation {
  private readonly logger = new Logger(OrderCancellation.name);
  private readonly keepForMs = Number(process.env.FIL_EARLY_CANCEL_TTL_SECONDS ?? 86_400) * 1000;
  private readonly keptInBatch = new WeakMap<EntityManager, Set<string>>();

  constructor(
    private readonly events: OrderEventsPublisher,
    private readonly compensation: Compensation,
  ) {}

  /** CANCELLED (or OrderTransitionRefused says why not), then every part given back. `order` must be locked. */
  async cancel(em: EntityManager, order: Order, reason: string): Promise<void> {
    await this.events.record(em, order, order.cancel(reason));
    await this.compensation.compensate(em, order, reason);
  }

  /** A channel's CancelOrder: applied, kept until its order arrives, or refused with why (the DLQ). */
  async requested(em: EntityManager, orderId: string, reason: string): Promise<void> {
    const order = await lockOrder(em, orderId);
    if (!order) return this.keep(em, orderId, reason);
    // The channel resent its cancellation: it already had its effect.
    if (order.status === 'CANCELLED') return;
    const why = order.whyNotCancellable();
    if (why) throw new InvalidMessage(why);
    await this.cancel(em, order, reason);
  }

  /**
   * A CancelOrder that came before the order `orderId`, used up: `cause` when it cancels
   * the order, `note` for the order's first step when it came too long before.
   */
  async cameFirst(em: EntityManager, orderId: string, now = new Date()): Promise<{ cause?: string; note?: string }> {
    if (this.keptInBatch.get(em)?.has(orderId) === false) return {};
    const early = await em.findOne(PendingCancellation, { orderId });
    if (!early) return {};
    em.remove(early);
    return early.appliesAt(now, this.keepForMs) ? { cause: early.cause() } : { note: early.describe(this.keepForMs) };
  }

  /** Loads the CancelOrders kept for a batch's orders in one query: `cameFirst` then asks the database for none of the others. */
  async loadKept(em: EntityManager, orderIds: string[]): Promise<void> {
    const kept = orderIds.length ? await em.find(PendingCancellation, { orderId: { $in: orderIds } }) : [];
    this.keptInBatch.set(em, new Set(kept.map((early) => early.orderId)));
  }

  /** Kept for its order; the first one wins. Those past the bound are dropped on the way, so the list stays short. */
  private async keep(em: EntityManager, orderId: string, reason: string): Promise<void> {
    const dropped = await em.execute<{ order_id: string }[]>('delete from pending_cancellation where received_at < ? returning order_id', [
      new Date(Date.now() - this.keepForMs),
    ]);
    for (const { order_id } of dropped) this.logger.warn(`CancelOrder for ${order_id} dropped: the order did not arrive within ${this.keepForMs / 1000} s`);
    await em.execute('insert into pending_cancellation (order_id, reason, received_at) values (?, ?, now()) on conflict (order_id) do nothing', [orderId, reason], 'run');
    this.logger.log(`CancelOrder for ${orderId} kept: the order has not arrived yet`);
  }
}
