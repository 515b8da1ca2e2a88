import { Injectable, Logger } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  FulfillmentCommandTypes,
  InventoryCommandTypes,
  Topics,
  type CreateFulfillment,
  type FulfillmentEvent,
  type OrderStatus,
  type Refund,
  type ReservationOutcome,
  type ReservationRefDto,
  type ReserveStockDto,
} from '@fil/contracts';
import { Outbox } from '@fil/messaging';
import { inTrace } from '@fil/observability';
import { Order, type OrderAllocation } from '../orders/order.entity';
import { allocationKind, routeNaively } from '../routing/naive-router';
import { StockService } from '../stock/stock.service';
import { OrderEventsPublisher } from './order-events.publisher';

/**
 * The order's journey across inventory and fulfillment, step by step. Each
 * step runs in the transaction of the message (or request) that caused it, so
 * its status change, its timeline entry and the commands it sends commit
 * together. An answer for an unknown order, or for a step the order is already
 * past, changes nothing: redeliveries and late answers are harmless.
 */
@Injectable()
export class OrderSaga {
  private readonly logger = new Logger(OrderSaga.name);

  constructor(
    private readonly outbox: Outbox,
    private readonly events: OrderEventsPublisher,
    private readonly stock: StockService,
  ) {}

  /** 1. A RECEIVED order is routed on the stock view; inventory is asked to hold the chosen stock, or the order is rejected. */
  async route(em: EntityManager, order: Order): Promise<void> {
    await inTrace('orchestrator.route', undefined, { 'fil.order.id': order.orderId }, async (span) => {
      const { locations, rows } = await this.stock.forRouting(em, [...new Set(order.lines.map((line) => line.sku))]);
      const decision = routeNaively(order.lines, locations, rows);
      span.setAttributes({
        'fil.routing.policy': decision.explanation.policy,
        'fil.routing.candidates': decision.explanation.candidates.length,
        'fil.routing.chosen': decision.locationId ?? 'none',
      });
      order.routing = decision.explanation;
      if (!decision.locationId) return this.events.transition(em, order, 'REJECTED', 'NO_STOCK');

      const reservationId = `${order.orderId}:R1`;
      const kind = allocationKind(order.deliveryMode, order.pickupLocationId, decision.locationId);
      order.allocations = [{ locationId: decision.locationId, kind, lines: decision.lines, reservationId }];
      const command: ReserveStockDto = { reservationId, orderId: order.orderId, locationId: decision.locationId, lines: decision.lines };
      await this.outbox.add(em, {
        topic: Topics.inventoryCommands,
        key: order.orderId,
        type: InventoryCommandTypes.reserve,
        data: command,
        id: `${reservationId}:${InventoryCommandTypes.reserve}`,
      });
    });
  }

  /** 2. Inventory holds the stock: the order is ALLOCATED and the location gets a fulfillment to work. */
  async stockReserved(em: EntityManager, outcome: ReservationOutcome): Promise<void> {
    const order = await this.awaiting(em, outcome.orderId, ['RECEIVED']);
    const held = order?.allocations.find((candidate) => candidate.reservationId === outcome.reservationId);
    if (!order || !held) return;
    const allocation = { ...held, fulfillmentId: `${order.orderId}-F1` };
    order.allocations = order.allocations.map((candidate) => (candidate === held ? allocation : candidate));
    await this.events.transition(em, order, 'ALLOCATED', `stock reserved at ${allocation.locationId} (${outcome.reservationId})`);
    const command: CreateFulfillment = {
      fulfillmentId: allocation.fulfillmentId,
      orderId: order.orderId,
      locationId: allocation.locationId,
      kind: allocation.kind,
      reservationId: allocation.reservationId,
      lines: allocation.lines,
    };
    await this.outbox.add(em, {
      topic: Topics.fulfillmentCommands,
      key: order.orderId,
      type: FulfillmentCommandTypes.create,
      data: command,
      id: `${command.fulfillmentId}:${FulfillmentCommandTypes.create}`,
    });
  }

  /** 2'. Inventory refused (our view of stock was stale): the order is REJECTED; re-routing comes with the real routing policy. */
  async stockReservationRefused(em: EntityManager, outcome: ReservationOutcome): Promise<void> {
    const order = await this.awaiting(em, outcome.orderId, ['RECEIVED']);
    if (!order?.allocations.some((allocation) => allocation.reservationId === outcome.reservationId)) return;
    // Nothing is held any more, so nothing is allocated.
    order.allocations = [];
    await this.events.transition(em, order, 'REJECTED', `STOCK_RESERVATION_REFUSED: ${outcome.reason ?? 'no reason given'}`);
  }

  /** 3. Staff have started on the goods (picked or packed): IN_FULFILLMENT, once. */
  async fulfillmentStarted(em: EntityManager, event: FulfillmentEvent): Promise<void> {
    const order = await this.awaiting(em, event.orderId, ['ALLOCATED']);
    if (!order || !this.fulfillmentOf(order, event)) return;
    await this.events.transition(em, order, 'IN_FULFILLMENT', `fulfillment ${event.fulfillmentId} ${event.status.toLowerCase()} at ${event.locationId}`);
  }

  /** 4. The parcel left: SHIPPED, and inventory turns the held stock into consumed on-hand. */
  async fulfillmentShipped(em: EntityManager, event: FulfillmentEvent): Promise<void> {
    const order = await this.awaiting(em, event.orderId, ['ALLOCATED', 'IN_FULFILLMENT']);
    const allocation = order && this.fulfillmentOf(order, event);
    if (!order || !allocation) return;
    const carrier = [event.carrier, event.trackingNumber].filter(Boolean).join(' ');
    await this.events.transition(em, order, 'SHIPPED', `fulfillment ${event.fulfillmentId} shipped from ${event.locationId}${carrier ? ` with ${carrier}` : ''}`);
    if (!allocation.reservationId) return;
    const ref: ReservationRefDto = { reservationId: allocation.reservationId, orderId: order.orderId };
    await this.outbox.add(em, {
      topic: Topics.inventoryCommands,
      key: order.orderId,
      type: InventoryCommandTypes.commit,
      data: ref,
      id: `${ref.reservationId}:${InventoryCommandTypes.commit}`,
    });
  }

  /** 5. The carrier delivered: DELIVERED, and the order may now be returned. */
  async fulfillmentDelivered(em: EntityManager, event: FulfillmentEvent): Promise<void> {
    const order = await this.awaiting(em, event.orderId, ['SHIPPED']);
    if (!order || !this.fulfillmentOf(order, event)) return;
    await this.events.transition(em, order, 'DELIVERED', `fulfillment ${event.fulfillmentId} delivered`);
  }

  /** 6. A refund counts returned units: PARTIALLY_RETURNED, or RETURNED once every unit is back; each refund counts once. */
  async refunded(em: EntityManager, refund: Refund): Promise<void> {
    const order = await this.awaiting(em, refund.orderId, ['DELIVERED', 'PARTIALLY_RETURNED']);
    if (!order || order.refundIds.includes(refund.refundId)) return;
    order.refundIds = [...order.refundIds, refund.refundId];
    const units = refund.lines.filter((line) => line.quantity > 0);
    if (!units.length) return;
    const complete = order.addReturned(units);
    const what = units.map((line) => `${line.quantity} × ${line.sku}`).join(', ');
    await this.events.transition(em, order, complete ? 'RETURNED' : 'PARTIALLY_RETURNED', `refund ${refund.refundId}: ${what} returned`);
  }

  /**
   * Compensation: the order is CANCELLED (or OrderTransitionRefused says why
   * not), every stock hold is released and every fulfillment called off.
   * `order` must be locked by the caller.
   */
  async cancel(em: EntityManager, order: Order, reason: string): Promise<void> {
    await this.events.record(em, order, order.cancel(reason));
    for (const allocation of order.allocations) {
      if (allocation.reservationId) {
        const ref: ReservationRefDto = { reservationId: allocation.reservationId, orderId: order.orderId };
        await this.outbox.add(em, {
          topic: Topics.inventoryCommands,
          key: order.orderId,
          type: InventoryCommandTypes.release,
          data: ref,
          id: `${ref.reservationId}:${InventoryCommandTypes.release}`,
        });
      }
      if (allocation.fulfillmentId) {
        await this.outbox.add(em, {
          topic: Topics.fulfillmentCommands,
          key: order.orderId,
          type: FulfillmentCommandTypes.cancel,
          data: { fulfillmentId: allocation.fulfillmentId, orderId: order.orderId, reason },
          id: `${allocation.fulfillmentId}:${FulfillmentCommandTypes.cancel}`,
        });
      }
    }
  }

  /** The order, locked, when it is at a status where this step applies; undefined for unknown or stale. */
  private async awaiting(em: EntityManager, orderId: string, statuses: OrderStatus[]): Promise<Order | undefined> {
    const order = await lockOrder(em, orderId);
    if (!order) {
      this.logger.warn(`ignoring a saga answer for unknown order ${orderId}`);
      return undefined;
    }
    return statuses.includes(order.status) ? order : undefined;
  }

  private fulfillmentOf(order: Order, event: FulfillmentEvent): OrderAllocation | undefined {
    return order.allocations.find((allocation) => allocation.fulfillmentId === event.fulfillmentId);
  }
}

/** Orders are changed under a row lock: Kafka steps and HTTP cancellations take turns. */
export function lockOrder(em: EntityManager, orderId: string): Promise<Order | null> {
  return em.findOne(Order, { orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
}
