import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AllocationLine, AvailabilityReport, FulfillmentEvent, OrderStatus, Refund, ReservationOutcome, StockShortage } from '@fil/contracts';
import { inTrace } from '@fil/observability';
import { lockOrder } from '../orders/order-lock';
import { Order, type AvailabilityCheck, type OrderAllocation, type ReservationState, type RoutingPurpose } from '../orders/order.entity';
import { mergeBySku, routeOrder, type RoutingDecision } from '../routing/route-order';
import { policyFor } from '../routing/routing-policy';
import { StockService, stockKey, type FresherStock } from '../stock/stock.service';
import { backorderDue } from './backorder-due';
import { Compensation } from './compensation';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { SagaCommands } from './saga-commands';

/** Fulfillment has started on the goods: a shortage at the location is the picker's to report. */
const STARTED = ['PICKED', 'PACKED', 'SHIPPED', 'DELIVERED', 'IN_TRANSIT', 'RECEIVED', 'READY_FOR_PICKUP', 'COLLECTED'];

/** Rejections that are about stock, not about the network: inventory confirms them before they are acted on. */
const STOCK_REASONS = ['NO_STOCK', 'INSUFFICIENT_STOCK', 'NOT_AVAILABLE_IN_STORE'];
const fallsShort = (decision: RoutingDecision) =>
  decision.outcome === 'REJECT' ? STOCK_REASONS.includes(decision.reason) : decision.backordered.length > 0;

/**
 * The order's journey across inventory and fulfillment. Each step runs in the
 * transaction of the message (or request, or sweep) that caused it, under the order's
 * row lock, so its status change, timeline entry and commands commit together. Answers
 * for unknown orders or steps already past change nothing: redeliveries are harmless.
 *
 * Every allocation is one reservation at one location (`<orderId>:R<n>`); refused,
 * short or silent ones are re-routed with fresher figures, away from that location, up
 * to `maxReroutes` times per order, then backordered or rejected by the channel policy.
 * Nothing is backordered or rejected on the view alone: inventory confirms first.
 * Undoing parts is Compensation's (compensation.ts), cancelling OrderCancellation's
 * (cancellation.ts), serving backorders Backorders' (backorders.ts).
 */
@Injectable()
export class OrderSaga {
  private readonly logger = new Logger(OrderSaga.name);

  constructor(
    private readonly commands: SagaCommands,
    private readonly compensation: Compensation,
    private readonly events: OrderEventsPublisher,
    private readonly stock: StockService,
  ) {}

  private get settings() {
    return this.commands.settings;
  }

  /** A RECEIVED order is routed; inventory is asked to hold each part, or the order is rejected. */
  async route(em: EntityManager, order: Order): Promise<void> {
    await this.allocate(em, order, order.lines, 'initial routing', 'route');
  }

  /** Inventory's own figures for a shortfall the view suggested: the lines are routed on them, and only then backordered or rejected. */
  async availabilityReported(em: EntityManager, report: AvailabilityReport): Promise<void> {
    const order = await this.lock(em, report.orderId);
    const check = order?.takeCheck(report.requestId);
    if (!order || !check || order.isSettled()) return;
    const atp = new Map(report.levels.map((level) => [stockKey(level.locationId, level.sku), level.atp]));
    await this.allocate(em, order, check.lines, check.why, check.purpose, { atp, complete: true });
    await this.settle(em, order);
  }

  /** Inventory holds one part. Once no part is pending, the order is allocated (or reserved) and fulfillment starts. */
  async stockReserved(em: EntityManager, outcome: ReservationOutcome): Promise<void> {
    const order = await this.lock(em, outcome.orderId);
    const allocation = order && this.allocation(order, outcome.reservationId, ['RESERVING']);
    if (!order || !allocation) return;
    const held = order.updateAllocation(allocation.reservationId, { state: 'HELD', deadline: undefined, attempts: undefined })!;
    if (order.isSettled()) return this.commands.release(em, order, held, `order ${order.status.toLowerCase()}`);
    if (held.shortage) return this.shortageHit(em, order, held, held.shortage);
    await this.settle(em, order);
  }

  /** Inventory refused one part (the view was stale): that part is re-routed with inventory's figures. */
  async stockReservationRefused(em: EntityManager, outcome: ReservationOutcome): Promise<void> {
    const order = await this.lock(em, outcome.orderId);
    const allocation = order && this.allocation(order, outcome.reservationId, ['RESERVING', 'RELEASING']);
    if (!order || !allocation) return;
    const wasReleasing = allocation.state === 'RELEASING';
    order.updateAllocation(allocation.reservationId, { state: wasReleasing ? 'RELEASED' : 'REFUSED', deadline: undefined, attempts: undefined });
    if (wasReleasing || order.isSettled()) return;
    if (allocation.backorderRetry) {
      // The stock a retry counted on was taken: the units wait again, tried once more when the view has caught up.
      order.backordered = mergeBySku([...order.backordered, ...allocation.lines]);
      await backorderDue(em, order.orderId);
      return this.settle(em, order);
    }
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
    if (!wasHeld || order.isSettled()) return;
    if (order.deliveryMode === 'E_RESERVATION' && ['RESERVED', 'READY_FOR_PICKUP'].includes(order.status)) {
      await this.events.transition(em, order, 'EXPIRED', `reservation ${allocation.reservationId} at ${allocation.locationId} was not collected in time`);
      return this.compensation.compensate(em, order, 'e-reservation expired');
    }
    if (allocation.fulfillmentStatus && STARTED.includes(allocation.fulfillmentStatus)) return;
    await this.commands.cancelWorkOf(em, order, allocation, 'reservation expired');
    await this.reroute(em, order, allocation.lines, `reservation ${allocation.reservationId} at ${allocation.locationId} expired`, allocation.locationId);
    await this.settle(em, order);
  }

  /**
   * An adjustment left a location with fewer units than it had promised: each named
   * reservation not yet picked is given back and its part re-routed elsewhere. One not
   * yet held here (the shortage overtook inventory's StockReserved) is hit once it is.
   */
  async stockShortage(em: EntityManager, shortage: StockShortage): Promise<void> {
    for (const { reservationId, orderId } of shortage.reservations) {
      const order = await this.lock(em, orderId);
      const allocation = order && this.allocation(order, reservationId, ['RESERVING', 'HELD']);
      if (!order || !allocation || order.isSettled()) continue;
      const why = `stock shortage of ${shortage.sku} at ${shortage.locationId} (adjustment ${shortage.adjustmentId})`;
      if (allocation.state === 'HELD') await this.shortageHit(em, order, allocation, why);
      else if (!allocation.shortage) order.updateAllocation(reservationId, { shortage: why });
    }
  }

  private async shortageHit(em: EntityManager, order: Order, allocation: OrderAllocation, why: string): Promise<void> {
    if (allocation.fulfillmentStatus && STARTED.includes(allocation.fulfillmentStatus)) {
      this.logger.warn(`${why} hits ${allocation.reservationId} after picking started: left to the picker`);
      return;
    }
    if (order.deliveryMode === 'E_RESERVATION') {
      order.alternatives = undefined;
      await this.events.transition(em, order, 'CANCELLED', `NOT_AVAILABLE_IN_STORE: ${why}`);
      return this.compensation.compensate(em, order, why);
    }
    await this.compensation.callOff(em, order, allocation, why);
    await this.reroute(em, order, allocation.lines, why, allocation.locationId);
    await this.settle(em, order);
  }

  /**
   * Fulfillment progress moves the order along; each event is applied once, whatever the
   * redelivery. Work the order no longer follows (settled, or called off) is Compensation's,
   * as is `refusal`, the reason of a FulfillmentCancelRefused.
   */
  async fulfillmentProgressed(em: EntityManager, event: FulfillmentEvent, refusal?: string): Promise<void> {
    const order = await this.lock(em, event.orderId);
    if (!order) return;
    if (order.isSettled() || order.partsOf(event.fulfillmentId).some((part) => part.state === 'CANCELLING')) {
      return this.compensation.workReported(em, order, event, refusal);
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
        await this.shortPicked(em, order, mine, event);
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
        if (!left && !order.backordered.length) return this.advance(em, order, 'SHIPPED', cause);
        // Backordered units are still to come: the order is not shipped, and stays in line for stock.
        const waiting = [left ? `${left} of ${parcels} shipment(s) still to ship` : '', order.backordered.length ? `${describe(order.backordered)} still backordered` : ''];
        return this.advance(em, order, 'IN_FULFILLMENT', [cause, ...waiting.filter(Boolean)].join('; '));
      }
      case 'DELIVERED': {
        const undelivered = order.live().filter((allocation) => allocation.kind === 'SHIP' && allocation.fulfillmentStatus !== 'DELIVERED');
        if (!undelivered.length && order.status === 'SHIPPED') await this.advance(em, order, 'DELIVERED', `${where} delivered`);
        return;
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
        if (!isCounter || !order.canMoveTo('COLLECTED')) return;
        await this.events.transition(em, order, 'COLLECTED', `collected at ${event.locationId}`);
        return this.commands.commit(em, order, order.live().filter((allocation) => allocation.kind === 'PICKUP'));
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
      return this.compensation.compensate(em, order, why);
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
    if (!kept.length) await this.commands.cancelWorkOf(em, order, part, `${why}: nothing found`);
    await this.reroute(em, order, missing, `${why}: ${describe(missing)} not found`, event.locationId);
    await this.settle(em, order);
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

  /**
   * The sweep found steps past their deadline: a command without an answer is sent
   * again, up to `maxAttempts`; then a reservation is given up (released, re-routed)
   * and a release, call-off or availability check never answered puts the order in NEEDS_ATTENTION.
   */
  async stepsOverdue(em: EntityManager, order: Order, now = new Date()): Promise<void> {
    const due = (step: { deadline?: string }) => !!step.deadline && Date.parse(step.deadline) <= now.getTime();
    for (const check of order.availabilityChecks.filter(due)) await this.checkOverdue(em, order, check);
    for (const allocation of order.allocations.filter(due)) {
      const attempts = allocation.attempts ?? 1;
      if (allocation.state === 'RESERVING' && attempts < this.settings.maxAttempts) {
        await this.commands.reserve(em, order, allocation, attempts + 1);
      } else if (allocation.state === 'RESERVING') {
        const why = `no answer from inventory for ${allocation.reservationId} at ${allocation.locationId} after ${attempts} attempts`;
        await this.commands.release(em, order, allocation, why);
        if (!order.isSettled()) {
          await this.reroute(em, order, allocation.lines, why, allocation.locationId);
          await this.settle(em, order);
        }
      } else if (allocation.state === 'HELD' && allocation.fulfillmentId && !allocation.fulfillmentStatus && attempts < this.settings.maxAttempts) {
        await this.commands.createFulfillment(em, order, allocation, attempts + 1);
      } else if (allocation.state === 'HELD' && allocation.fulfillmentId && !allocation.fulfillmentStatus) {
        order.updateAllocation(allocation.reservationId, { deadline: undefined });
        await this.attention(em, order, `fulfillment never confirmed creating ${allocation.fulfillmentId} at ${allocation.locationId} (${attempts} attempts): nobody may be working on it`);
      } else if (allocation.state === 'RELEASING' && attempts < this.settings.maxAttempts) {
        await this.commands.release(em, order, allocation, 'no answer', attempts + 1);
      } else if (allocation.state === 'RELEASING') {
        order.updateAllocation(allocation.reservationId, { deadline: undefined });
        await this.attention(em, order, `inventory never confirmed releasing ${allocation.reservationId} at ${allocation.locationId} (${attempts} attempts): stock may still be held`);
      } else if (allocation.state === 'CANCELLING') {
        await this.compensation.callOffOverdue(em, order, allocation, attempts);
      } else {
        order.updateAllocation(allocation.reservationId, { deadline: undefined });
      }
    }
  }

  /** Inventory has not answered an availability check: asked again, then a person looks (neither allocated nor rejected). */
  private async checkOverdue(em: EntityManager, order: Order, check: AvailabilityCheck): Promise<void> {
    const attempts = check.attempts ?? 1;
    if (order.isSettled()) order.takeCheck(check.requestId);
    else if (attempts < this.settings.maxAttempts) await this.commands.checkAvailability(em, order, check, attempts + 1);
    else {
      order.takeCheck(check.requestId);
      await this.attention(em, order, `inventory never answered whether it holds ${describe(check.lines)} (${attempts} attempts): they are neither allocated nor backordered`);
    }
  }

  /**
   * Routes `lines` and asks inventory to hold each part. A shortfall decided on the view
   * (something to backorder or reject) is not acted on: inventory is asked for its own
   * figures first, and the lines are routed again on them (availabilityReported). A
   * backorder retry never asks: finding nothing, it changes nothing.
   */
  async allocate(em: EntityManager, order: Order, lines: AllocationLine[], why: string, purpose: RoutingPurpose, stock: FresherStock = {}): Promise<RoutingDecision | undefined> {
    const cause = `${purpose === 'reroute' ? `re-route: ${why}` : why}${stock.complete ? " (on inventory's figures: the view fell short)" : ''}`;
    const decision = await this.plan(em, order, lines, cause, stock);
    if (purpose !== 'backorder' && !stock.complete && fallsShort(decision)) {
      await this.commands.checkAvailability(em, order, order.addCheck({ lines, why, purpose }));
      return undefined;
    }
    if (purpose === 'backorder' && decision.outcome === 'REJECT') return decision;
    const allocations = decision.outcome === 'ALLOCATE' ? decision.allocations : [];
    const backordered = decision.outcome === 'ALLOCATE' ? decision.backordered : [];
    order.routing = [
      ...order.routing,
      { at: new Date().toISOString(), cause, lines: mergeBySku(lines), outcome: decision.outcome, allocations, backordered, explanation: decision.explanation },
    ];
    let sequence = order.allocations.length;
    const planned: OrderAllocation[] = allocations.map((allocation) => ({
      ...allocation,
      reservationId: `${order.orderId}:R${(sequence += 1)}`,
      state: 'RESERVING',
      ...(purpose === 'backorder' ? { backorderRetry: true } : {}),
    }));
    order.addAllocations(planned);
    for (const allocation of planned) await this.commands.reserve(em, order, allocation);
    if (backordered.length) order.backordered = mergeBySku([...order.backordered, ...backordered]);
    if (backordered.length && purpose !== 'backorder') await backorderDue(em, order.orderId);
    if (decision.outcome === 'REJECT') {
      order.alternatives = decision.alternatives;
      const reason = `${decision.reason}: ${decision.explanation.reason}`;
      if (purpose === 'route') await this.events.transition(em, order, 'REJECTED', reason);
      else await this.shortfall(em, order, lines, `${why}; ${reason}`);
    }
    return decision;
  }

  /** Routes `lines` on the view (or fresher figures), with the decision's summary on the `orchestrator.route` span. */
  private plan(em: EntityManager, order: Order, lines: AllocationLine[], cause: string, stock: FresherStock): Promise<RoutingDecision> {
    return inTrace('orchestrator.route', undefined, { 'fil.order.id': order.orderId, 'fil.routing.cause': cause }, async (span) => {
      const network = await this.stock.network(em, [...new Set(lines.map((line) => line.sku))], stock);
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
      return decision;
    });
  }

  /** Re-routes a part away from where it failed, within the order's re-route budget. */
  private async reroute(em: EntityManager, order: Order, lines: AllocationLine[], why: string, exclude?: string, fresher?: Map<string, number>): Promise<void> {
    if (exclude && !order.excluded.includes(exclude)) order.excluded = [...order.excluded, exclude];
    order.reroutes += 1;
    if (order.reroutes > this.settings.maxReroutes) return this.shortfall(em, order, lines, `${why}; gave up after ${this.settings.maxReroutes} re-routes`);
    await this.allocate(em, order, lines, why, 'reroute', { atp: fresher });
  }

  /** Lines nobody can serve: backordered, unless the channel (or an e-reservation) wants the whole order or nothing. */
  private async shortfall(em: EntityManager, order: Order, lines: AllocationLine[], cause: string): Promise<void> {
    const wholeOrNothing = order.deliveryMode === 'E_RESERVATION' || policyFor(order.channel, this.settings.policies).shortage === 'REJECT';
    if (!wholeOrNothing) {
      order.backordered = mergeBySku([...order.backordered, ...lines]);
      await backorderDue(em, order.orderId);
      if (order.status === 'ALLOCATED') await this.events.transition(em, order, 'PARTIALLY_ALLOCATED', `backordered ${describe(lines)}: ${cause}`);
      return;
    }
    const to: OrderStatus = ['RESERVED', 'READY_FOR_PICKUP'].includes(order.status) ? 'CANCELLED' : 'REJECTED';
    const reason = order.deliveryMode === 'E_RESERVATION' ? 'NOT_AVAILABLE_IN_STORE' : 'INSUFFICIENT_STOCK';
    await this.events.transition(em, order, to, `${reason}: ${cause}`);
    await this.compensation.compensate(em, order, cause);
  }

  /** Nothing asked of inventory any more: announce where the order stands and start fulfillment for the newly held parts. */
  private async settle(em: EntityManager, order: Order): Promise<void> {
    if (order.isSettled() || order.awaitsInventory()) return;
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
      if (allocation.fulfillmentId) await this.commands.createFulfillment(em, order, allocation);
    }
    // A counter for transfers only has no part of its own to watch: it is sent once.
    if (atCounter && !local && !order.allocations.some((a) => a.fulfillmentId === order.counterFulfillmentId)) await this.commands.createCounter(em, order);
  }

  /** Fulfillment events may come late or twice: a move the lifecycle no longer allows is skipped, not an error. */
  private async advance(em: EntityManager, order: Order, to: OrderStatus, cause: string): Promise<void> {
    if (order.canMoveTo(to)) await this.events.transition(em, order, to, cause);
    else this.logger.log(`order ${order.orderId} stays ${order.status}: ${cause}`);
  }

  /** Something only a person can sort out; an order already waiting for one keeps its first reason. */
  private async attention(em: EntityManager, order: Order, why: string): Promise<void> {
    if (order.canMoveTo('NEEDS_ATTENTION')) await this.events.transition(em, order, 'NEEDS_ATTENTION', why);
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

const describe = (lines: AllocationLine[]) => lines.map((line) => `${line.quantity} × ${line.sku}`).join(', ');
const describeAllocations = (allocations: OrderAllocation[]) =>
  allocations.map((allocation) => `${allocation.kind} ${describe(allocation.lines)} from ${allocation.locationId}`).join('; ');
