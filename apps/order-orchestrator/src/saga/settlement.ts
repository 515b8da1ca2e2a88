import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderStatus } from '@fil/contracts';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import type { Order, OrderAllocation } from '../orders/order.entity';
import { describe, describeAllocations } from './describe';
import { SagaCommands } from './saga-commands';

/** The end of an allocation round: once inventory has answered for every part, where the order stands, and its fulfillments. */
@Injectable()
export class Settlement {
  constructor(
    private readonly commands: SagaCommands,
    private readonly events: OrderEventsPublisher,
  ) {}

  /** Nothing asked of inventory any more: announce where the order stands and start fulfillment for the newly held parts. */
  async settle(em: EntityManager, order: Order): Promise<void> {
    if (order.isSettled() || order.awaitsInventory()) return;
    const fresh = order.live().filter((allocation) => allocation.state === 'HELD' && !allocation.fulfillmentId && !allocation.awaitsCounter && !allocation.ridesOnCounter);
    const where = describeAllocations(order.live());
    // Fulfillment ids first, so that the event announcing the allocation carries them.
    if (order.status !== 'RECEIVED' || order.live().length) await this.startFulfillment(em, order, fresh);
    if (order.status === 'RECEIVED') {
      if (!order.live().length && !order.backordered.length) return this.events.transition(em, order, 'REJECTED', 'NO_STOCK: no part of the order could be reserved');
      const status: OrderStatus = order.deliveryMode === 'E_RESERVATION' ? 'RESERVED' : order.backordered.length ? 'PARTIALLY_ALLOCATED' : 'ALLOCATED';
      await this.events.transition(em, order, status, `${order.live().length ? where : 'nothing held yet'}${order.backordered.length ? `; backordered ${describe(order.backordered)}` : ''}`);
    } else if (fresh.length && ['ALLOCATED', 'PARTIALLY_ALLOCATED', 'IN_FULFILLMENT'].includes(order.status)) {
      const status: OrderStatus =
        order.status === 'IN_FULFILLMENT' ? order.status : order.backordered.length ? 'PARTIALLY_ALLOCATED' : 'ALLOCATED';
      await this.events.transition(em, order, status, `re-allocated: ${describeAllocations(fresh)}`);
    }
  }

  /**
   * One fulfillment per held part: a parcel (SHIP) or a transfer to the pickup store.
   * Click & collect and e-reservations also get one counter fulfillment at the pickup
   * store, for every unit the customer collects; the store's own reserved part rides on it.
   * PRODUCT.md: ready for pickup when every part has arrived. So the counter waits until
   * nothing is backordered, and the store's part with it: a counter opened earlier would
   * be ready, and handed over, without the units still to come.
   */
  private async startFulfillment(em: EntityManager, order: Order, held: OrderAllocation[]): Promise<void> {
    for (const allocation of held) {
      if (allocation.kind === 'PICKUP') continue;
      order.updateAllocation(allocation.reservationId, { fulfillmentId: `${order.orderId}-F${allocation.reservationId.split(':R').pop()}` });
    }
    const toStart = [...held];
    let transfersOnlyCounter = false;
    if (order.deliveryMode !== 'HOME_DELIVERY' && !order.counterFulfillmentId) {
      const local = [...order.live().filter((allocation) => allocation.awaitsCounter), ...held.filter((allocation) => allocation.kind === 'PICKUP')];
      if (order.backordered.length) {
        for (const part of local) order.updateAllocation(part.reservationId, { awaitsCounter: true });
      } else {
        order.counterFulfillmentId = order.nextCounterId();
        for (const [index, part] of local.entries()) {
          order.updateAllocation(part.reservationId, index ? { awaitsCounter: undefined, ridesOnCounter: true } : { awaitsCounter: undefined, fulfillmentId: order.counterFulfillmentId });
        }
        if (local.length && !toStart.includes(local[0])) toStart.push(local[0]);
        transfersOnlyCounter = !local.length;
      }
    }
    for (const { reservationId } of toStart) {
      const allocation = order.allocations.find((candidate) => candidate.reservationId === reservationId)!;
      if (allocation.fulfillmentId) await this.commands.createFulfillment(em, order, allocation);
    }
    // A counter for transfers only has no part of its own to watch: it is sent once.
    if (transfersOnlyCounter) await this.commands.createCounter(em, order);
  }
}
