import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PARTLY_DELIVERED_STATUSES, RETURNABLE_STATUSES, UNWANTED_GOODS_STATUSES, type Refund } from '@fil/contracts';
import { InvalidMessage } from '@fil/messaging';
import type { Order } from '../orders/order.entity';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { lockOrder } from '../orders/order-lock';
import { describe } from './describe';

/** Returns, as the refunds of the returns service count them. */
@Injectable()
export class Refunds {
  constructor(private readonly events: OrderEventsPublisher) {}

  /**
   * A refund counts returned units: PARTIALLY_RETURNED, or RETURNED once every unit is back;
   * each refund counts once. Units of a parcel delivered while the rest is on its way, or of
   * goods that reached the customer though the order no longer wanted them, are counted
   * without a new status; once DELIVERED the order goes on to PARTIALLY_RETURNED (returnedBefore).
   */
  async refunded(em: EntityManager, refund: Refund): Promise<void> {
    const order = await lockOrder(em, refund.orderId);
    if (!order) throw new InvalidMessage(`refund ${refund.refundId}: unknown order ${refund.orderId}`);
    // RETURNED: every unit is back already, nothing is left to count.
    if (order.refundIds.includes(refund.refundId) || order.status === 'RETURNED') return;
    // Returns refunds only goods it saw reach the customer.
    const counted = [...RETURNABLE_STATUSES, ...PARTLY_DELIVERED_STATUSES, ...UNWANTED_GOODS_STATUSES];
    if (!counted.includes(order.status)) throw new InvalidMessage(`refund ${refund.refundId}: order ${order.orderId} is ${order.status}, none of its goods reached the customer`);
    order.refundIds = [...order.refundIds, refund.refundId];
    const units = refund.lines.filter((line) => line.quantity > 0);
    if (!units.length) return;
    const complete = order.addReturned(units);
    order.addRestocked(units.filter((line) => line.condition === 'RESELLABLE'));
    const cause = `refund ${refund.refundId}: ${describe(units)} returned`;
    if (PARTLY_DELIVERED_STATUSES.includes(order.status)) return this.events.transition(em, order, order.status, `${cause} from a parcel delivered while the rest is on its way`);
    if (UNWANTED_GOODS_STATUSES.includes(order.status)) return this.events.record(em, order, order.restate(`${cause} from goods that reached the customer though the order is ${order.status}`));
    await this.events.transition(em, order, complete ? 'RETURNED' : 'PARTIALLY_RETURNED', cause);
  }

  /** Just DELIVERED: units returned from parcels delivered earlier make it PARTIALLY_RETURNED (or RETURNED) at once. */
  async returnedBefore(em: EntityManager, order: Order): Promise<void> {
    if (order.status !== 'DELIVERED' || !order.hasReturns()) return;
    await this.events.transition(em, order, order.allReturned() ? 'RETURNED' : 'PARTIALLY_RETURNED', `units returned from parcels delivered earlier (refunds ${order.refundIds.join(', ')})`);
  }
}
