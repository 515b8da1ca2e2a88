import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AllocationLine, OrderStatus } from '@fil/contracts';
import { inTrace } from '@fil/observability';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import type { Order, OrderAllocation, RoutingPurpose } from '../orders/order.entity';
import { mergeBySku, routeOrder, type RoutingDecision, type RoutingRequest } from '../routing/route-order';
import { recordInputs } from '../routing/routing-inputs';
import { recordDecision } from '../routing/routing-metrics';
import { RoutingPolicies } from '../routing/routing-policies.service';
import { policyFor } from '../routing/routing-policy';
import { StockService, stockKey, type FresherStock } from '../stock/stock.service';
import { backorderDue } from './backorder-due';
import { Compensation } from './compensation';
import { describe } from './describe';
import { SagaCommands } from './saga-commands';

/** What routing reads of an order. */
type RoutingTarget = Pick<Order, 'orderId' | 'channel' | 'deliveryMode' | 'shippingAddress' | 'pickupLocationId' | 'excluded'>;

/** Rejections that are about stock, not about the network: inventory confirms them before they are acted on. */
const STOCK_REASONS = ['NO_STOCK', 'INSUFFICIENT_STOCK', 'NOT_AVAILABLE_IN_STORE'];
const fallsShort = (decision: RoutingDecision) =>
  decision.outcome === 'REJECT' ? STOCK_REASONS.includes(decision.reason) : decision.backordered.length > 0;

/**
 * Allocation: lines are routed and inventory is asked to hold each part, one reservation
 * at one location (`<orderId>:R<n>`). A part that fails is re-routed away from its
 * location, up to `maxReroutes` times per order; what nobody can serve is backordered, or
 * the order rejected or cancelled by the channel policy, every hold given back.
 */
@Injectable()
export class Allocator {
  constructor(
    private readonly commands: SagaCommands,
    private readonly compensation: Compensation,
    private readonly events: OrderEventsPublisher,
    private readonly stock: StockService,
    private readonly policies: RoutingPolicies,
  ) {}

  private get settings() {
    return this.commands.settings;
  }

  /**
   * Routes `lines` and asks inventory to hold each part. A shortfall decided on the view
   * (something to backorder or reject) is not acted on: inventory is asked for its own
   * figures first, and the lines are routed again on them (availabilityReported). A
   * backorder retry never asks: finding nothing, it changes nothing.
   */
  async allocate(em: EntityManager, order: Order, lines: AllocationLine[], why: string, purpose: RoutingPurpose, stock: FresherStock = {}): Promise<RoutingDecision | undefined> {
    const cause = `${purpose === 'reroute' ? `re-route: ${why}` : why}${stock.complete ? " (on inventory's figures: the view fell short)" : ''}`;
    // A location left after a short pick or a refusal stays excluded until stock rises there (backorders.ts lifts it): its new stock is real.
    // Never, backorder or re-route, at a pickup store whose counter is open: the counter waits for those units by transfer, it cannot gather a new part.
    const counterOpen = order.deliveryMode === 'CLICK_AND_COLLECT' && order.counterFulfillmentId && order.pickupLocationId ? [order.pickupLocationId] : [];
    const excluded = [...order.excluded, ...counterOpen];
    const { decision, request } = await this.plan(em, order, lines, cause, stock, excluded);
    if (purpose !== 'backorder' && !stock.complete && fallsShort(decision)) {
      await this.commands.checkAvailability(em, order, order.addCheck({ lines, why, purpose }));
      return undefined;
    }
    if (purpose === 'backorder' && decision.outcome === 'REJECT') return decision;
    const allocations = decision.outcome === 'ALLOCATE' ? decision.allocations : [];
    const backordered = decision.outcome === 'ALLOCATE' ? decision.backordered : [];
    // Only the first decision is replayed by the simulator: later ones react to what it caused, and the inputs weigh kilobytes.
    const replayable = order.routingDecisions ? {} : { inputs: recordInputs(request) };
    em.persist(order.routed({ at: new Date().toISOString(), cause, lines: mergeBySku(lines), outcome: decision.outcome, allocations, backordered, explanation: decision.explanation, ...replayable }));
    let sequence = order.allocations.length;
    const planned: OrderAllocation[] = allocations.map((allocation) => ({
      ...allocation,
      reservationId: `${order.orderId}:R${(sequence += 1)}`,
      state: 'RESERVING',
      ...(purpose === 'backorder' ? { backorderRetry: true } : {}),
    }));
    order.addAllocations(planned);
    for (const allocation of planned) {
      await this.commands.reserve(em, order, allocation);
      // The pickup store's own part is worked by its counter, counted when the counter is created.
      if (allocation.kind !== 'PICKUP') await this.stock.countStarted(em, allocation.locationId);
    }
    if (backordered.length) order.backordered = mergeBySku([...order.backordered, ...backordered]);
    if (backordered.length && purpose !== 'backorder') await backorderDue(em, order.orderId);
    if (decision.outcome === 'REJECT') {
      order.alternatives = decision.alternatives;
      const reason = `${decision.reason}: ${decision.explanation.reason}`;
      // PRODUCT.md: what cannot be covered is backordered by default, all of it if need be; rejected by the channel's policy.
      const backorderAll = decision.reason === 'NO_STOCK' && (await this.backorders(em, order));
      if (purpose === 'route' && !backorderAll) await this.events.transition(em, order, 'REJECTED', reason);
      else await this.shortfall(em, order, lines, `${why}; ${reason}`);
    }
    return decision;
  }

  /** Re-routes a part away from where it failed, within the order's re-route budget. */
  async reroute(em: EntityManager, order: Order, lines: AllocationLine[], why: string, exclude?: string, stock: FresherStock = {}): Promise<void> {
    if (exclude && !order.excluded.includes(exclude)) order.excluded = [...order.excluded, exclude];
    order.reroutes += 1;
    if (order.reroutes > this.settings.maxReroutes) return this.shortfall(em, order, lines, `${why}; gave up after ${this.settings.maxReroutes} re-routes`);
    await this.allocate(em, order, lines, why, 'reroute', stock);
  }

  /** What routing would decide for `lines` now, on the view, for an order as it would be (an edit's check before it applies); nothing is asked or changed. */
  async preview(em: EntityManager, order: RoutingTarget, lines: AllocationLine[], cause: string, stock: FresherStock = {}): Promise<RoutingDecision> {
    return (await this.plan(em, order, lines, cause, stock)).decision;
  }

  /** Routes `lines` on the view (or fresher figures), with the decision's summary on the `orchestrator.route` span, and what it saw. */
  private plan(em: EntityManager, order: RoutingTarget, lines: AllocationLine[], cause: string, stock: FresherStock, excluded = order.excluded): Promise<{ decision: RoutingDecision; request: RoutingRequest }> {
    return inTrace('orchestrator.route', undefined, { 'fil.order.id': order.orderId, 'fil.routing.cause': cause }, async (span) => {
      const network = await this.stock.network(em, [...new Set(lines.map((line) => line.sku))], stock);
      const { version, document } = await this.policies.current(em);
      const request: RoutingRequest = {
        deliveryMode: order.deliveryMode!,
        lines,
        shippingAddress: order.shippingAddress as { lat: number; lng: number } | undefined,
        pickupLocationId: order.pickupLocationId,
        locations: network.locations,
        atp: network.atp,
        holders: network.holders,
        holdingsAt: network.holdingsAt,
        policy: policyFor(document, order.channel, order.deliveryMode),
        policyVersion: version,
        excluded: new Set(excluded),
      };
      const started = performance.now();
      const decision = routeOrder(request);
      recordDecision(request.deliveryMode, decision, (performance.now() - started) / 1000);
      const allocations = decision.outcome === 'ALLOCATE' ? decision.allocations : [];
      const backordered = decision.outcome === 'ALLOCATE' ? decision.backordered : [];
      const summary = decision.explanation.summary;
      span.setAttributes({
        'fil.routing.policy_version': decision.explanation.policyVersion,
        'fil.routing.outcome': decision.outcome === 'REJECT' ? `REJECT:${decision.reason}` : 'ALLOCATE',
        // The candidate list is bounded; the summary, when the mode has one, counts the whole network.
        'fil.routing.candidates': summary?.holders ?? decision.explanation.candidates.filter((c) => !c.filteredOut).length,
        'fil.routing.filtered_out': summary ? Object.values(summary.filteredOut).reduce((sum, n) => sum + n, 0) : decision.explanation.candidates.filter((c) => c.filteredOut).length,
        'fil.routing.exact': decision.explanation.exact,
        'fil.routing.allocations': allocations.map((a) => `${a.kind}@${a.locationId}`).join(','),
        'fil.routing.backordered_units': backordered.reduce((sum, line) => sum + line.quantity, 0),
        'fil.routing.reason': decision.explanation.reason,
      });
      return { decision, request };
    });
  }

  /** Lines nobody can serve: backordered, unless the channel (or an e-reservation) wants the whole order or nothing. */
  /** Whether units the network cannot serve are backordered for this order (its channel's policy), rather than the order ending. */
  async backorders(em: EntityManager, order: Pick<Order, 'deliveryMode' | 'channel'>): Promise<boolean> {
    const { document } = await this.policies.current(em);
    return order.deliveryMode !== 'E_RESERVATION' && policyFor(document, order.channel, order.deliveryMode).shortage !== 'REJECT';
  }

  private async shortfall(em: EntityManager, order: Order, lines: AllocationLine[], cause: string): Promise<void> {
    if (await this.backorders(em, order)) {
      order.backordered = mergeBySku([...order.backordered, ...lines]);
      await backorderDue(em, order.orderId);
      // Announced as a step: PARTIALLY_ALLOCATED from ALLOCATED, else the status following itself (IN_FULFILLMENT, SHIPPED); one still being routed is announced when it settles.
      const to: OrderStatus = order.status === 'ALLOCATED' ? 'PARTIALLY_ALLOCATED' : order.status;
      if (order.canMoveTo(to)) await this.events.transition(em, order, to, `backordered ${describe(lines)}: ${cause}`);
      return;
    }
    const to: OrderStatus = ['RESERVED', 'READY_FOR_PICKUP'].includes(order.status) ? 'CANCELLED' : 'REJECTED';
    const reason = order.deliveryMode === 'E_RESERVATION' ? 'NOT_AVAILABLE_IN_STORE' : 'INSUFFICIENT_STOCK';
    await this.compensation.end(em, order, order.transition(to, `${reason}: ${cause}`), cause);
  }
}

/** The units of `parts` by location and SKU, as FresherStock counts them: given back, they may serve again at once. */
export function unitsOf(parts: OrderAllocation[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const part of parts) for (const { sku, quantity } of part.lines) units.set(stockKey(part.locationId, sku), (units.get(stockKey(part.locationId, sku)) ?? 0) + quantity);
  return units;
}
