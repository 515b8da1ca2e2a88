import { Injectable, Logger } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  FulfillmentCommandTypes,
  InventoryCommandTypes,
  Topics,
  type AllocationLine,
  type CreateFulfillment,
  type FulfillmentEvent,
  type OrderStatus,
  type Refund,
  type ReservationOutcome,
  type ReservationRefDto,
  type ReserveStockDto,
  type StockShortage,
} from '@fil/contracts';
import { Outbox } from '@fil/messaging';
import { inTrace } from '@fil/observability';
import { Order, type OrderAllocation, type ReservationState } from '../orders/order.entity';
import { mergeBySku, routeOrder, type RoutingDecision } from '../routing/route-order';
import { channelPoliciesFromEnv, policyFor, type ChannelPolicies } from '../routing/routing-policy';
import { StockService, stockKey } from '../stock/stock.service';
import { OrderEventsPublisher } from './order-events.publisher';

/** Tunables, from the environment once at start-up. */
export interface SagaSettings {
  /** Re-routes per order (refusals, shortages, timeouts) before the rest is backordered or rejected. */
  maxReroutes: number;
  /** How long a command to inventory waits for its answer before it is sent again. */
  stepTimeoutMs: number;
  /** Sends of one command before the saga compensates (reserve) or asks for a person (release). */
  maxAttempts: number;
  /** How long an e-reservation holds the stock in store. */
  eReservationTtlSeconds: number;
  policies: ChannelPolicies;
}

export function sagaSettingsFromEnv(env = process.env): SagaSettings {
  return {
    maxReroutes: Number(env.FIL_MAX_REROUTES ?? 3),
    stepTimeoutMs: Number(env.FIL_SAGA_STEP_TIMEOUT_MS ?? 30_000),
    maxAttempts: Number(env.FIL_SAGA_MAX_ATTEMPTS ?? 3),
    eReservationTtlSeconds: Number(env.FIL_E_RESERVATION_TTL_SECONDS ?? 48 * 3600),
    policies: channelPoliciesFromEnv(env.FIL_ROUTING_POLICIES),
  };
}

/** Finished orders: late answers change nothing on them but the bookkeeping of their reservations. */
const SETTLED: readonly OrderStatus[] = ['REJECTED', 'CANCELLED', 'EXPIRED', 'NEEDS_ATTENTION'];
/** Fulfillment has started on the goods: a shortage at the location is the picker's to report. */
const STARTED = ['PICKED', 'PACKED', 'SHIPPED', 'DELIVERED', 'IN_TRANSIT', 'RECEIVED', 'READY_FOR_PICKUP', 'COLLECTED'];

/**
 * The order's journey across inventory and fulfillment. Each step runs in the
 * transaction of the message (or request, or sweep) that caused it, under the order's
 * row lock, so its status change, timeline entry and commands commit together. Answers
 * for unknown orders or steps already past change nothing: redeliveries are harmless.
 *
 * Every allocation is one reservation at one location (`<orderId>:R<n>`); refused,
 * short or silent ones are re-routed with fresher figures, away from that location, up
 * to `maxReroutes` times per order, then backordered or rejected by the channel policy.
 */
@Injectable()
export class OrderSaga {
  private readonly logger = new Logger(OrderSaga.name);
  readonly settings = sagaSettingsFromEnv();

  constructor(
    private readonly outbox: Outbox,
    private readonly events: OrderEventsPublisher,
    private readonly stock: StockService,
  ) {}

  /** A RECEIVED order is routed; inventory is asked to hold each part, or the order is rejected. */
  async route(em: EntityManager, order: Order): Promise<void> {
    const decision = await this.plan(em, order, order.lines, 'initial routing');
    if (decision.outcome === 'REJECT') {
      order.alternatives = decision.alternatives;
      await this.events.transition(em, order, 'REJECTED', `${decision.reason}: ${decision.explanation.reason}`);
    }
  }

  /** Inventory holds one part. Once no part is pending, the order is allocated (or reserved) and fulfillment starts. */
  async stockReserved(em: EntityManager, outcome: ReservationOutcome): Promise<void> {
    const order = await this.lock(em, outcome.orderId);
    const allocation = order && this.allocation(order, outcome.reservationId, ['RESERVING']);
    if (!order || !allocation) return;
    order.updateAllocation(allocation.reservationId, { state: 'HELD', deadline: undefined, attempts: undefined });
    if (SETTLED.includes(order.status)) return this.release(em, order, allocation, `order ${order.status.toLowerCase()}`);
    await this.settle(em, order);
  }

  /** Inventory refused one part (the view was stale): that part is re-routed with inventory's figures. */
  async stockReservationRefused(em: EntityManager, outcome: ReservationOutcome): Promise<void> {
    const order = await this.lock(em, outcome.orderId);
    const allocation = order && this.allocation(order, outcome.reservationId, ['RESERVING', 'RELEASING']);
    if (!order || !allocation) return;
    const wasReleasing = allocation.state === 'RELEASING';
    order.updateAllocation(allocation.reservationId, { state: wasReleasing ? 'RELEASED' : 'REFUSED', deadline: undefined, attempts: undefined });
    if (wasReleasing || SETTLED.includes(order.status)) return;
    const fresher = new Map((outcome.shortLines ?? []).map((line) => [stockKey(allocation.locationId, line.sku), line.atp]));
    const why = `${allocation.locationId} refused ${allocation.reservationId} (${outcome.reason ?? 'no reason given'})`;
    // Without figures to correct the view (an unknown location), only leaving the location out makes progress.
    await this.reroute(em, order, allocation.lines, why, fresher.size ? undefined : allocation.locationId, fresher);
    await this.settle(em, order);
  }

  /** Inventory gave the stock back (a compensation) or consumed it (shipped, collected). */
  async reservationSettled(em: EntityManager, outcome: ReservationOutcome, state: ReservationState): Promise<void> {
    const order = await this.lock(em, outcome.orderId);
    const allocation = order && this.allocation(order, outcome.reservationId);
    if (!order || !allocation || allocation.state === state) return;
    order.updateAllocation(allocation.reservationId, { state, deadline: undefined, attempts: undefined });
    // The collect's commit reached inventory after the hold expired: the goods are gone, a person checks the sale.
    if (state === 'COMMITTED' && order.status === 'EXPIRED') {
      const why = `collected at ${allocation.locationId} after the order expired: inventory took the units of ${allocation.reservationId} (${describe(allocation.lines)}) out of stock again; make sure the customer paid for them at the till`;
      await this.events.transition(em, order, 'NEEDS_ATTENTION', why);
    }
  }

  /** The hold ended on its own: an e-reservation not collected in time is EXPIRED; anything else is re-routed. */
  async reservationExpired(em: EntityManager, outcome: ReservationOutcome): Promise<void> {
    const order = await this.lock(em, outcome.orderId);
    const allocation = order && this.allocation(order, outcome.reservationId);
    if (!order || !allocation || allocation.state === 'EXPIRED') return;
    const wasHeld = allocation.state === 'HELD';
    order.updateAllocation(allocation.reservationId, { state: 'EXPIRED', deadline: undefined, attempts: undefined });
    if (!wasHeld || SETTLED.includes(order.status)) return;
    if (order.deliveryMode === 'E_RESERVATION' && ['RESERVED', 'READY_FOR_PICKUP'].includes(order.status)) {
      await this.events.transition(em, order, 'EXPIRED', `reservation ${allocation.reservationId} at ${allocation.locationId} was not collected in time`);
      return this.compensate(em, order, 'e-reservation expired');
    }
    if (allocation.fulfillmentStatus && STARTED.includes(allocation.fulfillmentStatus)) return;
    await this.cancelFulfillment(em, order, allocation, 'reservation expired');
    await this.reroute(em, order, allocation.lines, `reservation ${allocation.reservationId} at ${allocation.locationId} expired`, allocation.locationId);
    await this.settle(em, order);
  }

  /**
   * An adjustment left a location with fewer units than it had promised: each named
   * reservation not yet picked is given back and its part re-routed elsewhere.
   */
  async stockShortage(em: EntityManager, shortage: StockShortage): Promise<void> {
    for (const { reservationId, orderId } of shortage.reservations) {
      const order = await this.lock(em, orderId);
      const allocation = order && this.allocation(order, reservationId, ['HELD']);
      if (!order || !allocation || SETTLED.includes(order.status)) continue;
      if (allocation.fulfillmentStatus && STARTED.includes(allocation.fulfillmentStatus)) {
        this.logger.warn(`shortage of ${shortage.sku} at ${shortage.locationId} hits ${reservationId} after picking started: left to the picker`);
        continue;
      }
      const why = `stock shortage of ${shortage.sku} at ${shortage.locationId} (adjustment ${shortage.adjustmentId})`;
      if (order.deliveryMode === 'E_RESERVATION') {
        order.alternatives = undefined;
        await this.events.transition(em, order, 'CANCELLED', `NOT_AVAILABLE_IN_STORE: ${why}`);
        await this.compensate(em, order, why);
        continue;
      }
      await this.release(em, order, allocation, why);
      await this.cancelFulfillment(em, order, allocation, why);
      await this.reroute(em, order, allocation.lines, why, allocation.locationId);
      await this.settle(em, order);
    }
  }

  /** Fulfillment progress moves the order along; each event is applied once, whatever the redelivery. */
  async fulfillmentProgressed(em: EntityManager, event: FulfillmentEvent): Promise<void> {
    const order = await this.lock(em, event.orderId);
    if (!order || SETTLED.includes(order.status)) return;
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
        await this.shortPicked(em, order, mine, event);
      // falls through: picking is the start of fulfillment, short or not
      case 'PACKED':
        if (['ALLOCATED', 'PARTIALLY_ALLOCATED'].includes(order.status)) {
          await this.advance(em, order, 'IN_FULFILLMENT', `${where} ${event.status.toLowerCase()}`);
        }
        return;
      case 'SHIPPED': {
        await this.commit(em, order, mine);
        const parcels = order.live().filter((allocation) => allocation.kind === 'SHIP');
        const left = parcels.filter((allocation) => !['SHIPPED', 'DELIVERED'].includes(allocation.fulfillmentStatus ?? ''));
        const carrier = [event.carrier, event.trackingNumber].filter(Boolean).join(' ');
        const cause = `${where} shipped${carrier ? ` with ${carrier}` : ''}`;
        if (!left.length) return this.advance(em, order, 'SHIPPED', cause);
        return this.advance(em, order, 'IN_FULFILLMENT', `${cause}; ${left.length} of ${parcels.length} shipment(s) still to ship`);
      }
      case 'DELIVERED': {
        const undelivered = order.live().filter((allocation) => allocation.kind === 'SHIP' && allocation.fulfillmentStatus !== 'DELIVERED');
        if (!undelivered.length && order.status === 'SHIPPED') await this.advance(em, order, 'DELIVERED', `${where} delivered`);
        return;
      }
      case 'IN_TRANSIT':
        await this.commit(em, order, mine);
        return this.advance(em, order, 'IN_FULFILLMENT', `${where} left for ${order.pickupLocationId}`);
      case 'RECEIVED':
        if (order.status === 'IN_FULFILLMENT') await this.advance(em, order, 'IN_FULFILLMENT', `transfer ${event.fulfillmentId} received at ${order.pickupLocationId}`);
        return;
      case 'READY_FOR_PICKUP':
        if (isCounter) await this.advance(em, order, 'READY_FOR_PICKUP', `every part is at ${event.locationId}'s counter`);
        return;
      case 'COLLECTED':
        if (!isCounter || !order.canMoveTo('COLLECTED')) return;
        await this.events.transition(em, order, 'COLLECTED', `collected at ${event.locationId}`);
        return this.commit(em, order, order.live().filter((allocation) => allocation.kind === 'PICKUP'));
    }
  }

  /**
   * Staff found fewer units than asked: the part shrinks to what was found and the
   * missing units are re-routed, never to that location again for this order
   * (fulfillment has already taken them out of inventory). At the counter, missing
   * units are the store's own: an e-reservation is then called off.
   */
  private async shortPicked(em: EntityManager, order: Order, parts: OrderAllocation[], event: FulfillmentEvent): Promise<void> {
    const missingBySku = new Map(event.lines.map((line) => [line.sku, line.quantity - Math.min(line.quantity, line.picked)]));
    if (![...missingBySku.values()].some((missing) => missing > 0)) return;
    const atCounter = order.counterFulfillmentId === event.fulfillmentId;
    const why = `short pick at ${event.locationId} (${event.fulfillmentId})`;
    if (atCounter && order.deliveryMode === 'E_RESERVATION') {
      await this.events.transition(em, order, 'CANCELLED', `NOT_AVAILABLE_IN_STORE: ${why}`);
      return this.compensate(em, order, why);
    }
    const part = atCounter ? order.live().find((allocation) => allocation.kind === 'PICKUP') : parts[0];
    if (!part) return;
    const missing = part.lines
      .map(({ sku, quantity }) => ({ sku, quantity: Math.min(quantity, missingBySku.get(sku) ?? 0) }))
      .filter((line) => line.quantity > 0);
    if (!missing.length) return;
    const kept = part.lines
      .map(({ sku, quantity }) => ({ sku, quantity: quantity - (missing.find((line) => line.sku === sku)?.quantity ?? 0) }))
      .filter((line) => line.quantity > 0);
    // Nothing found at all: the part is over, and so is its fulfillment.
    order.updateAllocation(part.reservationId, kept.length ? { lines: kept } : { lines: kept, state: 'RELEASED' });
    if (!kept.length) await this.cancelFulfillment(em, order, part, `${why}: nothing found`);
    await this.reroute(em, order, missing, `${why}: ${describe(missing)} not found`, event.locationId);
    await this.settle(em, order);
  }

  /**
   * ATP of `sku` rose somewhere: the oldest orders waiting for it (backordered, not yet
   * shipped) are routed again for their backordered units. A backorder retry does not use
   * the order's re-route budget; what still cannot be served stays backordered.
   */
  async stockArrived(em: EntityManager, sku: string, limit = 20): Promise<void> {
    const waiting = await em.execute<{ order_id: string }[]>(
      `select order_id from customer_order
        where status in ('PARTIALLY_ALLOCATED', 'ALLOCATED', 'IN_FULFILLMENT') and backordered @> ?::jsonb
        order by created_at, order_id limit ?`,
      [JSON.stringify([{ sku }]), limit],
    );
    for (const { order_id } of waiting) {
      const order = await this.lock(em, order_id);
      const lines = order?.backordered.filter((line) => line.sku === sku) ?? [];
      if (!order || !lines.length || !['PARTIALLY_ALLOCATED', 'ALLOCATED', 'IN_FULFILLMENT'].includes(order.status)) continue;
      order.backordered = order.backordered.filter((line) => line.sku !== sku);
      const decision = await this.plan(em, order, lines, `backorder: ${sku} back in stock`);
      if (decision.outcome === 'REJECT') order.backordered = mergeBySku([...order.backordered, ...lines]);
      await em.flush();
    }
  }

  /** A refund counts returned units: PARTIALLY_RETURNED, or RETURNED once every unit is back; each refund counts once. */
  async refunded(em: EntityManager, refund: Refund): Promise<void> {
    const order = await this.lock(em, refund.orderId);
    if (!order || !['DELIVERED', 'COLLECTED', 'PARTIALLY_RETURNED'].includes(order.status) || order.refundIds.includes(refund.refundId)) return;
    order.refundIds = [...order.refundIds, refund.refundId];
    const units = refund.lines.filter((line) => line.quantity > 0);
    if (!units.length) return;
    const complete = order.addReturned(units);
    const what = units.map((line) => `${line.quantity} × ${line.sku}`).join(', ');
    await this.events.transition(em, order, complete ? 'RETURNED' : 'PARTIALLY_RETURNED', `refund ${refund.refundId}: ${what} returned`);
  }

  /** CANCELLED (or OrderTransitionRefused says why not), then every hold released and every fulfillment called off. `order` must be locked. */
  async cancel(em: EntityManager, order: Order, reason: string): Promise<void> {
    await this.events.record(em, order, order.cancel(reason));
    await this.compensate(em, order, reason);
  }

  /**
   * The sweep found steps past their deadline: a command without an answer is sent
   * again, up to `maxAttempts`; then a reservation is given up (released, re-routed)
   * and a release that inventory never confirms puts the order in NEEDS_ATTENTION.
   */
  async stepsOverdue(em: EntityManager, order: Order, now = new Date()): Promise<void> {
    for (const allocation of order.allocations.filter((a) => a.deadline && Date.parse(a.deadline) <= now.getTime())) {
      const attempts = allocation.attempts ?? 1;
      if (allocation.state === 'RESERVING' && attempts < this.settings.maxAttempts) {
        await this.sendReserve(em, order, allocation, attempts + 1);
      } else if (allocation.state === 'RESERVING') {
        const why = `no answer from inventory for ${allocation.reservationId} at ${allocation.locationId} after ${attempts} attempts`;
        await this.release(em, order, allocation, why);
        if (!SETTLED.includes(order.status)) {
          await this.reroute(em, order, allocation.lines, why, allocation.locationId);
          await this.settle(em, order);
        }
      } else if (allocation.state === 'HELD' && allocation.fulfillmentId && !allocation.fulfillmentStatus && attempts < this.settings.maxAttempts) {
        await this.sendCreateFulfillment(em, order, allocation, attempts + 1);
      } else if (allocation.state === 'HELD' && allocation.fulfillmentId && !allocation.fulfillmentStatus) {
        order.updateAllocation(allocation.reservationId, { deadline: undefined });
        const why = `fulfillment never confirmed creating ${allocation.fulfillmentId} at ${allocation.locationId} (${attempts} attempts): nobody may be working on it`;
        if (order.status !== 'NEEDS_ATTENTION') await this.events.transition(em, order, 'NEEDS_ATTENTION', why);
      } else if (allocation.state === 'RELEASING' && attempts < this.settings.maxAttempts) {
        await this.sendRelease(em, order, allocation, attempts + 1);
      } else if (allocation.state === 'RELEASING') {
        order.updateAllocation(allocation.reservationId, { deadline: undefined });
        const why = `inventory never confirmed releasing ${allocation.reservationId} at ${allocation.locationId} (${attempts} attempts): stock may still be held`;
        if (order.status !== 'NEEDS_ATTENTION') await this.events.transition(em, order, 'NEEDS_ATTENTION', why);
      } else {
        order.updateAllocation(allocation.reservationId, { deadline: undefined });
      }
    }
  }

  /** Routes `lines` on the current view and asks inventory to hold each part; the caller handles a rejection. */
  private async plan(em: EntityManager, order: Order, lines: AllocationLine[], cause: string, fresher?: Map<string, number>): Promise<RoutingDecision> {
    return inTrace('orchestrator.route', undefined, { 'fil.order.id': order.orderId, 'fil.routing.cause': cause }, async (span) => {
      const network = await this.stock.network(em, [...new Set(lines.map((line) => line.sku))], fresher);
      const decision = routeOrder({
        deliveryMode: order.deliveryMode!,
        lines,
        shippingAddress: order.shippingAddress as { lat: number; lng: number } | undefined,
        pickupLocationId: order.pickupLocationId,
        locations: network.locations,
        atp: network.atp,
        policy: policyFor(order.channel, this.settings.policies),
        excluded: new Set(order.excluded),
      });
      const allocations = decision.outcome === 'ALLOCATE' ? decision.allocations : [];
      const backordered = decision.outcome === 'ALLOCATE' ? decision.backordered : [];
      span.setAttributes({
        'fil.routing.policy_version': decision.explanation.policyVersion,
        'fil.routing.outcome': decision.outcome === 'REJECT' ? `REJECT:${decision.reason}` : 'ALLOCATE',
        'fil.routing.candidates': decision.explanation.candidates.filter((c) => !c.filteredOut).length,
        'fil.routing.filtered_out': decision.explanation.candidates.filter((c) => c.filteredOut).length,
        'fil.routing.exact': decision.explanation.exact,
        'fil.routing.allocations': allocations.map((a) => `${a.kind}@${a.locationId}`).join(','),
        'fil.routing.backordered_units': backordered.reduce((sum, line) => sum + line.quantity, 0),
        'fil.routing.reason': decision.explanation.reason,
      });
      order.routing = [
        ...order.routing,
        { at: new Date().toISOString(), cause, lines: mergeBySku(lines), outcome: decision.outcome, allocations, backordered, explanation: decision.explanation },
      ];
      let sequence = order.allocations.length;
      const planned: OrderAllocation[] = allocations.map((allocation) => ({ ...allocation, reservationId: `${order.orderId}:R${(sequence += 1)}`, state: 'RESERVING' }));
      order.addAllocations(planned);
      if (backordered.length) order.backordered = mergeBySku([...order.backordered, ...backordered]);
      for (const allocation of planned) await this.sendReserve(em, order, allocation, 1);
      return decision;
    });
  }

  /** Re-routes a part away from where it failed, within the order's re-route budget. */
  private async reroute(em: EntityManager, order: Order, lines: AllocationLine[], cause: string, exclude?: string, fresher?: Map<string, number>): Promise<void> {
    if (exclude && !order.excluded.includes(exclude)) order.excluded = [...order.excluded, exclude];
    order.reroutes += 1;
    if (order.reroutes > this.settings.maxReroutes) return this.shortfall(em, order, lines, `${cause}; gave up after ${this.settings.maxReroutes} re-routes`);
    const decision = await this.plan(em, order, lines, `re-route: ${cause}`, fresher);
    if (decision.outcome === 'REJECT') {
      order.alternatives = decision.alternatives;
      await this.shortfall(em, order, lines, `${cause}; ${decision.reason}: ${decision.explanation.reason}`);
    }
  }

  /** Lines nobody can serve: backordered, unless the channel (or an e-reservation) wants the whole order or nothing. */
  private async shortfall(em: EntityManager, order: Order, lines: AllocationLine[], cause: string): Promise<void> {
    const wholeOrNothing = order.deliveryMode === 'E_RESERVATION' || policyFor(order.channel, this.settings.policies).shortage === 'REJECT';
    if (!wholeOrNothing) {
      order.backordered = mergeBySku([...order.backordered, ...lines]);
      if (order.status === 'ALLOCATED') await this.events.transition(em, order, 'PARTIALLY_ALLOCATED', `backordered ${describe(lines)}: ${cause}`);
      return;
    }
    const to: OrderStatus = ['RESERVED', 'READY_FOR_PICKUP'].includes(order.status) ? 'CANCELLED' : 'REJECTED';
    const reason = order.deliveryMode === 'E_RESERVATION' ? 'NOT_AVAILABLE_IN_STORE' : 'INSUFFICIENT_STOCK';
    await this.events.transition(em, order, to, `${reason}: ${cause}`);
    await this.compensate(em, order, cause);
  }

  /** No part pending any more: announce where the order stands and start fulfillment for the newly held parts. */
  private async settle(em: EntityManager, order: Order): Promise<void> {
    if (SETTLED.includes(order.status) || order.allocations.some((allocation) => allocation.state === 'RESERVING')) return;
    const fresh = order.live().filter((allocation) => allocation.state === 'HELD' && !allocation.fulfillmentId);
    const where = describeAllocations(order.live());
    // Fulfillment ids first, so that the event announcing the allocation carries them.
    if (order.status !== 'RECEIVED' || order.live().length) await this.startFulfillment(em, order, fresh);
    if (order.status === 'RECEIVED') {
      if (!order.live().length) {
        return this.events.transition(em, order, 'REJECTED', `NO_STOCK: no part of the order could be reserved${order.backordered.length ? ` (short: ${describe(order.backordered)})` : ''}`);
      }
      const status: OrderStatus = order.deliveryMode === 'E_RESERVATION' ? 'RESERVED' : order.backordered.length ? 'PARTIALLY_ALLOCATED' : 'ALLOCATED';
      await this.events.transition(em, order, status, `${where}${order.backordered.length ? `; backordered ${describe(order.backordered)}` : ''}`);
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
   */
  private async startFulfillment(em: EntityManager, order: Order, held: OrderAllocation[]): Promise<void> {
    for (const allocation of held) {
      if (allocation.kind === 'PICKUP') continue;
      order.updateAllocation(allocation.reservationId, { fulfillmentId: `${order.orderId}-F${allocation.reservationId.split(':R').pop()}` });
    }
    const atCounter = order.deliveryMode !== 'HOME_DELIVERY';
    const local = held.find((allocation) => allocation.kind === 'PICKUP');
    if (atCounter && !order.counterFulfillmentId) {
      order.counterFulfillmentId = `${order.orderId}-C`;
      if (local) order.updateAllocation(local.reservationId, { fulfillmentId: order.counterFulfillmentId });
    }
    for (const { reservationId } of held) {
      const allocation = order.allocations.find((candidate) => candidate.reservationId === reservationId)!;
      if (allocation.fulfillmentId) await this.sendCreateFulfillment(em, order, allocation, 1);
    }
    // A counter for transfers only has no part of its own to watch: it is sent once.
    if (atCounter && !local && !order.allocations.some((a) => a.fulfillmentId === order.counterFulfillmentId)) {
      await this.stock.countStarted(em, order.pickupLocationId!);
      await this.outboxCreate(em, order, this.counterCommand(order, undefined), 1);
    }
  }

  /** The fulfillment doing `allocation`'s work, asked for; it must be announced before its deadline. */
  private async sendCreateFulfillment(em: EntityManager, order: Order, allocation: OrderAllocation, attempt: number): Promise<void> {
    const counter = allocation.fulfillmentId === order.counterFulfillmentId;
    const command: CreateFulfillment = counter
      ? this.counterCommand(order, allocation)
      : {
          fulfillmentId: allocation.fulfillmentId!,
          orderId: order.orderId,
          locationId: allocation.locationId,
          kind: allocation.kind,
          reservationId: allocation.reservationId,
          lines: allocation.lines,
          ...(allocation.kind === 'TRANSFER' ? { destinationLocationId: order.pickupLocationId } : {}),
        };
    if (attempt === 1) await this.stock.countStarted(em, command.locationId);
    order.updateAllocation(allocation.reservationId, { attempts: attempt, deadline: this.deadline() });
    await this.outboxCreate(em, order, command, attempt);
  }

  /** The pickup store's counter: every unit the customer collects; the store's own reservation rides on it. */
  private counterCommand(order: Order, local: OrderAllocation | undefined): CreateFulfillment {
    const lines = mergeBySku(order.lines)
      .map(({ sku, quantity }) => ({ sku, quantity: quantity - (order.backordered.find((b) => b.sku === sku)?.quantity ?? 0) }))
      .filter((line) => line.quantity > 0);
    return {
      fulfillmentId: order.counterFulfillmentId!,
      orderId: order.orderId,
      locationId: order.pickupLocationId!,
      kind: 'PICKUP',
      reservationId: local?.reservationId,
      lines,
      ...(order.deliveryMode === 'E_RESERVATION' ? { expiresAt: new Date(order.createdAt.getTime() + this.settings.eReservationTtlSeconds * 1000).toISOString() } : {}),
    };
  }

  private outboxCreate(em: EntityManager, order: Order, command: CreateFulfillment, attempt: number): Promise<void> {
    return this.outbox.add(em, {
      topic: Topics.fulfillmentCommands,
      key: order.orderId,
      type: FulfillmentCommandTypes.create,
      data: command,
      id: `${command.fulfillmentId}:${FulfillmentCommandTypes.create}${attempt > 1 ? `:${attempt}` : ''}`,
    });
  }

  /** Gives back every hold and calls off every fulfillment still open. */
  private async compensate(em: EntityManager, order: Order, reason: string): Promise<void> {
    for (const allocation of order.allocations) {
      if (allocation.state === 'RESERVING' || allocation.state === 'HELD') await this.release(em, order, allocation, reason);
      if (allocation.fulfillmentId && allocation.fulfillmentId !== order.counterFulfillmentId) await this.cancelFulfillment(em, order, allocation, reason);
    }
    if (order.counterFulfillmentId) await this.sendCancelFulfillment(em, order, order.counterFulfillmentId, reason);
  }

  private async release(em: EntityManager, order: Order, allocation: OrderAllocation, reason: string): Promise<void> {
    this.logger.log(`releasing ${allocation.reservationId}: ${reason}`);
    await this.sendRelease(em, order, allocation, 1);
  }

  private async cancelFulfillment(em: EntityManager, order: Order, allocation: OrderAllocation, reason: string): Promise<void> {
    if (!allocation.fulfillmentId || allocation.fulfillmentId === order.counterFulfillmentId) return;
    await this.sendCancelFulfillment(em, order, allocation.fulfillmentId, reason);
  }

  private async sendCancelFulfillment(em: EntityManager, order: Order, fulfillmentId: string, reason: string): Promise<void> {
    await this.outbox.add(em, {
      topic: Topics.fulfillmentCommands,
      key: order.orderId,
      type: FulfillmentCommandTypes.cancel,
      data: { fulfillmentId, orderId: order.orderId, reason },
      id: `${fulfillmentId}:${FulfillmentCommandTypes.cancel}`,
    });
  }

  /** The goods left or were handed over: inventory turns the hold into consumed stock. */
  private async commit(em: EntityManager, order: Order, allocations: OrderAllocation[]): Promise<void> {
    for (const allocation of allocations.filter((a) => a.state === 'HELD')) {
      const ref: ReservationRefDto = { reservationId: allocation.reservationId, orderId: order.orderId };
      await this.outbox.add(em, { topic: Topics.inventoryCommands, key: order.orderId, type: InventoryCommandTypes.commit, data: ref, id: `${ref.reservationId}:${InventoryCommandTypes.commit}` });
    }
  }

  private async sendReserve(em: EntityManager, order: Order, allocation: OrderAllocation, attempt: number): Promise<void> {
    const command: ReserveStockDto = {
      reservationId: allocation.reservationId,
      orderId: order.orderId,
      locationId: allocation.locationId,
      lines: allocation.lines,
      ...(order.deliveryMode === 'E_RESERVATION' ? { ttlSeconds: this.settings.eReservationTtlSeconds } : {}),
    };
    order.updateAllocation(allocation.reservationId, { state: 'RESERVING', attempts: attempt, deadline: this.deadline() });
    await this.outbox.add(em, {
      topic: Topics.inventoryCommands,
      key: order.orderId,
      type: InventoryCommandTypes.reserve,
      data: command,
      id: `${allocation.reservationId}:${InventoryCommandTypes.reserve}${attempt > 1 ? `:${attempt}` : ''}`,
    });
  }

  private async sendRelease(em: EntityManager, order: Order, allocation: OrderAllocation, attempt: number): Promise<void> {
    const ref: ReservationRefDto = { reservationId: allocation.reservationId, orderId: order.orderId };
    order.updateAllocation(allocation.reservationId, { state: 'RELEASING', attempts: attempt, deadline: this.deadline() });
    await this.outbox.add(em, {
      topic: Topics.inventoryCommands,
      key: order.orderId,
      type: InventoryCommandTypes.release,
      data: ref,
      id: `${ref.reservationId}:${InventoryCommandTypes.release}${attempt > 1 ? `:${attempt}` : ''}`,
    });
  }

  /** Fulfillment events may come late or twice: a move the lifecycle no longer allows is skipped, not an error. */
  private async advance(em: EntityManager, order: Order, to: OrderStatus, cause: string): Promise<void> {
    if (order.canMoveTo(to)) await this.events.transition(em, order, to, cause);
    else this.logger.log(`order ${order.orderId} stays ${order.status}: ${cause}`);
  }

  private deadline(): string {
    return new Date(Date.now() + this.settings.stepTimeoutMs).toISOString();
  }

  private async lock(em: EntityManager, orderId: string): Promise<Order | undefined> {
    const order = await lockOrder(em, orderId);
    if (!order) this.logger.warn(`ignoring a saga answer for unknown order ${orderId}`);
    return order ?? undefined;
  }

  private allocation(order: Order, reservationId: string, states?: ReservationState[]): OrderAllocation | undefined {
    const allocation = order.allocations.find((candidate) => candidate.reservationId === reservationId);
    return allocation && (!states || states.includes(allocation.state)) ? allocation : undefined;
  }
}

/** Orders are changed under a row lock: Kafka steps, HTTP cancellations and the sweep take turns. */
export function lockOrder(em: EntityManager, orderId: string): Promise<Order | null> {
  return em.findOne(Order, { orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
}

const describe = (lines: AllocationLine[]) => lines.map((line) => `${line.quantity} × ${line.sku}`).join(', ');
const describeAllocations = (allocations: OrderAllocation[]) =>
  allocations.map((allocation) => `${allocation.kind} ${describe(allocation.lines)} from ${allocation.locationId}`).join('; ');
