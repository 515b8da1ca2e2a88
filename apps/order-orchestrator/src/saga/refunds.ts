import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Refund } from '@fil/contracts';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { lockAnswered } from './answered-order';
import { describe } from './describe';

/** Returns, as the refunds of the returns service count them. */
@Injectable()
export class Refunds {
  constructor(private readonly events: OrderEventsPublisher) {}

  /** A refund counts returned units: PARTIALLY_RETURNED, or RETURNED once every unit is back; each refund counts once. */
  async refunded(em: EntityManager, refund: Refund): Promise<void> {
    const order = await lockAnswered(em, refund.orderId);
    if (!order || !['DELIVERED', 'COLLECTED', 'PARTIALLY_RETURNED'].includes(order.status) || order.refundIds.includes(refund.refundId)) return;
    order.refundIds = [...order.refundIds, refund.refundId];
    const units = refund.lines.filter((line) => line.quantity > 0);
    if (!units.length) return;
    const complete = order.addReturned(units);
    order.addRestocked(units.filter((line) => line.condition === 'RESELLABLE'));
    await this.events.transition(em, order, complete ? 'RETURNED' : 'PARTIALLY_RETURNED', `refund ${refund.refundId}: ${describe(units)} returned`);
  }
}
