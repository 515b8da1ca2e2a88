import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FulfillmentEvent, OrderStatus } from '@fil/contracts';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { goodsLeft, type Order, type OrderAllocation } from '../orders/order.entity';
import { mergeBySku } from '../routing/route-order';
import { lockAnswered } from './answered-order';
import { Compensation } from './compensation';
import { OrderEdits } from './order-edits';
import { Refunds } from './refunds';
import { describe } from './describe';
import { SagaCommands } from './saga-commands';
import { Shortages } from './shortages';

/** Fulfillment's progress moves the order along, to SHIPPED and DELIVERED or to READY_FOR_PICKUP and COLLECTED; goods that leave commit their stock. */
@Injectable()
export class FulfillmentProgress {
  private readonly logger = new Logger('OrderSaga');

  constructor(
    private readonly shortages: Shortages,
    private readonly commands: SagaCommands,
    private readonly compensation: Compensation,
    private readonly events: OrderEventsPublisher,
    private readonly edits: OrderEdits,
    private readonly refunds: Refunds,
  ) {}

  /**
   * Fulfillment progress moves the order along; each event is applied once, whatever the
   * redelivery. Work the order no longer follows (settled, or called off) is Compensation's,
   * as is `refusal`, the reason of a FulfillmentCancelRefused.
   */
  async fulfillmentProgressed(em: EntityManager, event: FulfillmentEvent, refusal?: string): Promise<void> {
    const order = await lockAnswered(em, event.orderId);
    if (!order) return;
    if (event.fulfillmentId === order.counterFulfillmentId && !refusal) order.counterStatus = event.status;
    if (order.isSettled() || order.partsOf(event.fulfillmentId).some((part) => part.state === 'CANCELLING')) {
      const toRoute = order.partsOf(event.fulfillmentId).filter((part) => part.state === 'CANCELLING' && part.rerouteOnRelease);
      await this.compensation.workReported(em, order, event, refusal);
      if (event.status !== 'CANCELLED') return;
      const counted = toRoute.filter((part) => part.countedShort);
      if (counted.length) await this.shortages.countedPartsCalledOff(em, order, counted);
      const forEdit = toRoute.filter((part) => !part.countedShort);
      if (forEdit.length) await this.edits.calledOff(em, order, forEdit);
      return;
    }
    if (refusal) return; // the order still follows that work: nothing was undone
    const mine = order.allocations.filter((allocation) => allocation.fulfillmentId === event.fulfillmentId);
    const isCounter = order.counterFulfillmentId === event.fulfillmentId;
    if (!mine.length && !isCounter) return;
    if (mine.every((allocation) => allocation.fulfillmentStatus === event.status) && mine.length) return;
    for (const allocation of mine) {
      // The fulfillment exists: its creation is no longer awaited (other deadlines stay).
      const created = allocation.state === 'HELD' && !allocation.fulfillmentStatus ? { deadline: undefined, attempts: undefined } : {};
      order.updateAllocation(allocation.reservationId, { fulfillmentStatus: event.status, ...created });
    }
    const where = `fulfillment ${event.fulfillmentId} at ${event.locationId}`;

    switch (event.status) {
      case 'PICKED':
        await this.shortages.shortPicked(em, order, mine, event);
      // falls through: picking is the start of fulfillment, short or not
      case 'PACKED':
        if (['ALLOCATED', 'PARTIALLY_ALLOCATED'].includes(order.status)) {
          await this.advance(em, order, 'IN_FULFILLMENT', `${where} ${event.status.toLowerCase()}`);
        }
        return;
      case 'SHIPPED': {
        await this.commands.commit(em, order, mine);
        const parcels = order.live().filter((allocation) => allocation.kind === 'SHIP').length;
        const left = order.parcelsToShip().length;
        const carrier = [event.carrier, event.trackingNumber].filter(Boolean).join(' ');
        const cause = `${where} shipped${carrier ? ` with ${carrier}` : ''}`;
        const routing = order.availabilityChecks.flatMap((check) => check.lines);
        if (!left && !order.backordered.length && !routing.length) return this.advance(em, order, 'SHIPPED', cause);
        // Backordered units, or units being routed (inventory asked where they are), are still to come: the order is not shipped.
        const waiting = [
          left ? `${left} of ${parcels} shipment(s) still to ship` : '',
          order.backordered.length ? `${describe(order.backordered)} still backordered` : '',
          routing.length ? `${describe(mergeBySku(routing))} being routed` : '',
        ];
        return this.advance(em, order, 'IN_FULFILLMENT', [cause, ...waiting.filter(Boolean)].join('; '));
      }
      case 'DELIVERED': {
        const undelivered = order.live().filter((allocation) => allocation.kind === 'SHIP' && allocation.fulfillmentStatus !== 'DELIVERED');
        if (!undelivered.length && order.status === 'SHIPPED') {
          await this.advance(em, order, 'DELIVERED', `${where} delivered`);
          return this.refunds.returnedBefore(em, order);
        }
        // One parcel of several at the customer: announced (the order's status stays), so that its units may be returned already.
        if (!['IN_FULFILLMENT', 'SHIPPED'].includes(order.status)) return;
        const toCome = [undelivered.length ? `${undelivered.length} parcel(s) still to deliver` : '', order.backordered.length ? `${describe(order.backordered)} still backordered` : ''];
        return this.advance(em, order, order.status, [`${where} delivered`, ...toCome.filter(Boolean)].join('; '));
      }
      case 'IN_TRANSIT':
        await this.commands.commit(em, order, mine);
        return this.advance(em, order, 'IN_FULFILLMENT', `${where} left for ${order.pickupLocationId}`);
      case 'RECEIVED':
        if (order.status === 'IN_FULFILLMENT') await this.advance(em, order, 'IN_FULFILLMENT', `transfer ${event.fulfillmentId} received at ${order.pickupLocationId}`);
        return;
      case 'READY_FOR_PICKUP':
        if (isCounter) await this.advance(em, order, 'READY_FOR_PICKUP', `every part is at ${event.locationId}'s counter`);
        return;
      case 'COLLECTED':
        if (!isCounter) return;
        // The hand-over says the counter was ready, even if the order never heard it (booked while it waited for a person).
        if (!order.canMoveTo('COLLECTED')) await this.advance(em, order, 'READY_FOR_PICKUP', `every part is at ${event.locationId}'s counter`);
        if (!order.canMoveTo('COLLECTED')) return;
        await this.events.transition(em, order, 'COLLECTED', `collected at ${event.locationId}`);
        // The store's part that rides on the counter was committed by fulfillment with the hand-over itself; a part added after the counter was created was not.
        await this.commands.commit(em, order, order.live().filter((allocation) => allocation.kind === 'PICKUP' && allocation.fulfillmentId !== order.counterFulfillmentId));
        return this.transfersNoLongerWanted(em, order, `the order was collected at ${event.locationId} before it arrived`);
    }
  }

  /**
   * Back from NEEDS_ATTENTION, where fulfillment's reports were only booked on the parts: the
   * order moves on as far as they took it (shipped, delivered, ready, collected), the commits of
   * the goods that left having been sent as they were booked.
   */
  async catchUp(em: EntityManager, order: Order): Promise<void> {
    const live = order.live();
    const status = (part: OrderAllocation) => part.fulfillmentStatus ?? '';
    const parcels = live.filter((part) => part.kind === 'SHIP');
    const counter = order.counterStatus ?? live.find((part) => part.fulfillmentId && part.fulfillmentId === order.counterFulfillmentId)?.fulfillmentStatus ?? '';
    const complete = !order.backordered.length;
    const cause = 'fulfillment reported it while the order waited for a person';
    if (live.some((part) => !['', 'CREATED', 'CANCELLED'].includes(status(part))) && ['ALLOCATED', 'PARTIALLY_ALLOCATED'].includes(order.status)) {
      await this.advance(em, order, 'IN_FULFILLMENT', cause);
    }
    if (complete && parcels.length && parcels.every((part) => ['SHIPPED', 'DELIVERED'].includes(status(part)))) {
      await this.advance(em, order, 'SHIPPED', cause);
      if (parcels.every((part) => status(part) === 'DELIVERED') && order.canMoveTo('DELIVERED')) {
        await this.advance(em, order, 'DELIVERED', cause);
        await this.refunds.returnedBefore(em, order);
      }
    }
    if (['READY_FOR_PICKUP', 'COLLECTED'].includes(counter) && !order.canMoveTo('COLLECTED')) await this.advance(em, order, 'READY_FOR_PICKUP', cause);
    if (counter === 'COLLECTED' && order.canMoveTo('COLLECTED')) {
      await this.events.transition(em, order, 'COLLECTED', cause);
      await this.commands.commit(em, order, live.filter((part) => part.kind === 'PICKUP' && part.fulfillmentId !== order.counterFulfillmentId));
      await this.transfersNoLongerWanted(em, order, `the order was collected at ${order.pickupLocationId} before it arrived`);
    }
  }

  /**
   * Transfers still to come once the customer took the order (one routed as the counter handed it
   * over, after a count found the store short): called off, their stock given back, or, gone
   * already, counted into the pickup store's stock when they arrive.
   */
  private async transfersNoLongerWanted(em: EntityManager, order: Order, why: string): Promise<void> {
    for (const part of order.live().filter(({ kind, fulfillmentStatus }) => kind === 'TRANSFER' && !['RECEIVED', 'COLLECTED'].includes(fulfillmentStatus ?? ''))) {
      if (goodsLeft(part.fulfillmentStatus)) await this.commands.callOffTransferThatLeft(em, order, part.fulfillmentId!, why);
      else await this.compensation.callOff(em, order, part, why);
    }
  }

  /** Fulfillment events may come late or twice: a move the lifecycle no longer allows is skipped, not an error. */
  private async advance(em: EntityManager, order: Order, to: OrderStatus, cause: string): Promise<void> {
    if (order.canMoveTo(to)) await this.events.transition(em, order, to, cause);
    else this.logger.log(`order ${order.orderId} stays ${order.status}: ${cause}`);
  }
}
