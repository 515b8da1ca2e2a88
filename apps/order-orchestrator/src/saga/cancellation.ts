import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { mayActForChannel, type Principal } from '@fil/auth';
import { CancelOrderDto, OrderCommandTypes } from '@fil/contracts';
import { InvalidMessage, parseMessage, type IncomingMessage } from '@fil/messaging';
import { inTrace } from '@fil/observability';
import { loadOrderView, type OrderView } from '../orders/dto/order.view';
import { lockOrder, lockOrderIds } from '../orders/order-lock';
import { Order, OrderTransitionRefused } from '../orders/order.entity';
import { OrderAttention } from './attention';
import { Compensation } from './compensation';
import { EarlyCancellations } from './early-cancellations';


/**
 * Cancelling an order, for a channel (CancelOrder) or a person (HTTP): accepted until a
 * part has shipped or been collected as far as the order knows; what fulfillment did in
 * the meantime is settled by Compensation. A CancelOrder that overtook its order is
 * EarlyCancellations'.
 */
@Injectable()
export class OrderCancellation {
  constructor(
    private readonly orm: MikroORM,
    private readonly compensation: Compensation,
    private readonly attention: OrderAttention,
    private readonly early: EarlyCancellations,
  ) {}

  /** `fil.orders.commands.v1`: CancelOrder (the topic's first command, so a missing ce_type means it), even ahead of its order. */
  async handleCommand(message: IncomingMessage, em: EntityManager): Promise<void> {
    if (message.type !== undefined && message.type !== OrderCommandTypes.cancel) {
      throw new InvalidMessage(`unknown command type ${message.type}: expected ${Object.values(OrderCommandTypes).join(' or ')}`);
    }
    const { orderId, reason } = parseMessage(CancelOrderDto, message.value, 'CancelOrder');
    await this.requested(em, message, orderId, reason ?? 'cancelled by the channel (no reason given)');
    await em.flush();
  }

  /** `POST /orders/{id}/cancel`, in the order's trace. */
  async requestedBy(caller: Principal, orderId: string, reason: string): Promise<OrderView> {
    const found = await this.orm.em.fork().findOne(Order, { orderId }, { fields: ['traceparent', 'channel'] });
    if (!found || !mayActForChannel(caller, found.channel)) throw new NotFoundException(`order ${orderId} not found`);
    return inTrace('orchestrator.cancel', found.traceparent ?? undefined, { 'fil.order.id': orderId }, () =>
      this.orm.em.fork().transactional(async (em) => {
        const order = (await lockOrder(em, orderId))!;
        // A retry whose first answer was lost, or a second person: the order is what they asked for.
        if (order.status === 'CANCELLED') return loadOrderView(em, order);
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
    // Given up before a person looked (cancelled, rejected, expired): its counter and transfers were called off then, under the same message ids.
    const calledOffBefore = order.isGivenUp();
    await this.compensation.end(em, order, order.cancel(reason), reason, calledOffBefore);
    if (!hadGivenUp) return;
    for (const check of order.givenUp().checks) order.takeCheck(check.requestId);
    await this.attention.sendAgain(em, order, reason);
  }

  /** A channel's CancelOrder: applied, kept until its order arrives, or refused with why (the DLQ). */
  private async requested(em: EntityManager, message: IncomingMessage, orderId: string, reason: string): Promise<void> {
    await lockOrderIds(em, [orderId]);
    const order = await lockOrder(em, orderId);
    if (!order) return this.early.keep(em, message, orderId, reason);
    // The channel resent its cancellation: it already had its effect (even if the order needs a person since).
    if (order.status === 'CANCELLED' || order.attentionFrom === 'CANCELLED') return;
    const why = order.whyNotCancellable();
    if (why) throw new InvalidMessage(why);
    // In the order's trace, as over HTTP: the channel's command is one step of the order's journey.
    await inTrace('orchestrator.cancel', order.traceparent ?? undefined, { 'fil.order.id': orderId }, () => this.cancel(em, order, reason));
  }
}
