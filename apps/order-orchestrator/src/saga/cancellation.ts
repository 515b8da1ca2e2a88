import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { setting } from '@fil/config';
import { mayActForChannel, type Principal } from '@fil/auth';
import { CancelOrderDto, OrderCommandTypes } from '@fil/contracts';
import { InvalidMessage, parseMessage, type IncomingMessage } from '@fil/messaging';
import { inTrace } from '@fil/observability';
import { BatchRows } from '@fil/persistence';
import { loadOrderView, type OrderView } from '../orders/dto/order.view';
import { lockOrder, lockOrderIds } from '../orders/order-lock';
import { Order, OrderTransitionRefused } from '../orders/order.entity';
import { OrderAttention } from './attention';
import { Compensation } from './compensation';
import { PendingCancellation } from './pending-cancellation.entity';
import { EARLY_CANCEL_TTL_SECONDS } from './saga-variables';


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
  private readonly keepForMs = setting(EARLY_CANCEL_TTL_SECONDS) * 1000;
  private readonly keptInBatch = new BatchRows<PendingCancellation>((early) => early.orderId);

  constructor(
    private readonly orm: MikroORM,
    private readonly compensation: Compensation,
    private readonly attention: OrderAttention,
  ) {}

  /** `fil.orders.commands.v1`: CancelOrder (the topic's first command, so a missing ce_type means it), even ahead of its order. */
  async handleCommand(message: IncomingMessage, em: EntityManager): Promise<void> {
    if (message.type !== undefined && message.type !== OrderCommandTypes.cancel) {
      throw new InvalidMessage(`unknown command type ${message.type}: expected ${Object.values(OrderCommandTypes).join(' or ')}`);
    }
    const { orderId, reason } = parseMessage(CancelOrderDto, message.value, 'CancelOrder');
    await this.requested(em, orderId, reason);
    await em.flush();
  }

  /** `POST /orders/{id}/cancel`, in the order's trace. */
  async requestedBy(caller: Principal, orderId: string, reason: string): Promise<OrderView> {
    const found = await this.orm.em.fork().findOne(Order, { orderId }, { fields: ['traceparent', 'channel'] });
    if (!found || !mayActForChannel(caller, found.channel)) throw new NotFoundException(`order ${orderId} not found`);
    return inTrace('orchestrator.cancel', found.traceparent ?? undefined, { 'fil.order.id': orderId }, () =>
      this.orm.em.fork().transactional(async (em) => {
        const order = (await lockOrder(em, orderId))!;
        try {
          await this.cancel(em, order, reason);
        } catch (error) {
          if (error instanceof OrderTransitionRefused) throw new ConflictException(error.message);
          throw error;
        }
        await em.flush();
        return loadOrderView(em, order);
      }),
    );
  }

  /**
   * CANCELLED (or OrderTransitionRefused says why not), then every part given back. From
   * NEEDS_ATTENTION, the releases and call-offs the saga gave up on are sent again too, so no
   * stock stays held with nobody waiting for it; its given-up checks no longer matter. `order` must be locked.
   */
  async cancel(em: EntityManager, order: Order, reason: string): Promise<void> {
    const hadGivenUp = order.status === 'NEEDS_ATTENTION';
    await this.compensation.end(em, order, order.cancel(reason), reason);
    if (!hadGivenUp) return;
    for (const check of order.givenUp().checks) order.takeCheck(check.requestId);
    await this.attention.sendAgain(em, order, reason);
  }

  /** A channel's CancelOrder: applied, kept until its order arrives, or refused with why (the DLQ). */
  async requested(em: EntityManager, orderId: string, reason: string): Promise<void> {
    await lockOrderIds(em, [orderId]);
    const order = await lockOrder(em, orderId);
    if (!order) return this.keep(em, orderId, reason);
    // The channel resent its cancellation: it already had its effect (even if the order needs a person since).
    if (order.status === 'CANCELLED' || order.attentionFrom === 'CANCELLED') return;
    const why = order.whyNotCancellable();
    if (why) throw new InvalidMessage(why);
    await this.cancel(em, order, reason);
  }

  /**
   * A CancelOrder that came before the order `orderId`, used up: `cause` when it cancels
   * the order, `note` for the order's first step when it came too long before.
   */
  async cameFirst(em: EntityManager, orderId: string, now = new Date()): Promise<{ cause?: string; note?: string }> {
    const early = await this.keptInBatch.find(em, orderId, () => em.findOne(PendingCancellation, { orderId }));
    if (!early) return {};
    em.remove(early);
    return early.appliesAt(now, this.keepForMs) ? { cause: early.cause() } : { note: early.describe(this.keepForMs) };
  }

  /** Loads the CancelOrders kept for a batch's orders in one query: `cameFirst` then asks the database for none of the others. */
  async loadKept(em: EntityManager, orderIds: string[]): Promise<void> {
    await this.keptInBatch.preload(em, orderIds, (ids) => em.find(PendingCancellation, { orderId: { $in: ids } }));
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
