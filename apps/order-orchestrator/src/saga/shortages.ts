import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inTrace } from '@fil/observability';
import type { AllocationLine, FulfillmentEvent, StockShortage } from '@fil/contracts';
import type { Order, OrderAllocation } from '../orders/order.entity';
import { stockKey } from '../stock/stock.service';
import { Allocator, unitsOf } from './allocator';
import { lockAnswered, partOf, workStarted } from './answered-order';
import { Compensation } from './compensation';
import { describe } from './describe';
import { SagaCommands } from './saga-commands';
import { Settlement } from './settlement';

/**
 * A location has fewer units than it promised: by its count (StockShortage) or by its
 * picker (a short pick). The part is given back and routed again (a count's SKU, a pick's
 * part, elsewhere), or an e-reservation, which only that store can serve, is cancelled.
 */
@Injectable()
export class Shortages {
  private readonly logger = new Logger('OrderSaga');

  constructor(
    private readonly allocator: Allocator,
    private readonly settlement: Settlement,
    private readonly commands: SagaCommands,
    private readonly compensation: Compensation,
  ) {}

  /**
   * An adjustment left a location with fewer units than it had promised: each named
   * reservation not yet picked is given back and its part routed again. One not
   * yet held here (the shortage overtook inventory's StockReserved) is hit once it is.
   */
  async stockShortage(em: EntityManager, shortage: StockShortage): Promise<void> {
    for (const { reservationId, orderId } of shortage.reservations) {
      const order = await lockAnswered(em, orderId);
      const allocation = order && partOf(order, reservationId, ['RESERVING', 'HELD']);
      if (!order || !allocation || order.isSettled()) continue;
      const why = `stock shortage of ${shortage.sku} at ${shortage.locationId} (adjustment ${shortage.adjustmentId})`;
      if (allocation.state === 'HELD') {
        // The count is the cause, but what follows is the order's journey: its trace, linked to the count's.
        await inTrace('orchestrator.stock shortage', order.traceparent ?? undefined, { 'fil.order.id': orderId }, () => this.hit(em, order, allocation, why, shortage.sku));
      } else if (!allocation.shortage) order.updateAllocation(reservationId, { shortage: why, countedShort: shortage.sku });
    }
  }

  /**
   * A held part the shortage of `sku` reaches: called off and routed again once its stock is given
   * back, so that its location may still serve the other SKUs, unless picking has started (the
   * picker reports what is missing). A shortage noted before `sku` was kept excludes the location.
   */
  async hit(em: EntityManager, order: Order, allocation: OrderAllocation, why: string, sku?: string): Promise<void> {
    if (workStarted(allocation)) {
      this.logger.warn(`${why} hits ${allocation.reservationId} after picking started: left to the picker`);
      return;
    }
    if (order.deliveryMode === 'E_RESERVATION') {
      order.alternatives = undefined;
      return this.compensation.end(em, order, order.transition('CANCELLED', `NOT_AVAILABLE_IN_STORE: ${why}`), why);
    }
    await this.compensation.callOff(em, order, allocation, why);
    const part = partOf(order, allocation.reservationId)!;
    if (sku && part.state === 'CANCELLING') return void order.updateAllocation(part.reservationId, { rerouteOnRelease: part.lines, countedShort: sku, shortage: why });
    await this.routeCounted(em, order, part, why, sku);
    await this.settlement.settle(em, order);
  }

  /** Fulfillment called off the work of parts a count hit: their stock is being given back, and their lines are routed. */
  async countedPartsCalledOff(em: EntityManager, order: Order, parts: OrderAllocation[]): Promise<void> {
    for (const part of parts) {
      order.updateAllocation(part.reservationId, { rerouteOnRelease: undefined });
      if (!order.isSettled()) await this.routeCounted(em, order, part, part.shortage ?? `stock shortage of ${part.countedShort} at ${part.locationId}`, part.countedShort);
    }
    await this.settlement.settle(em, order);
  }

  /** Routed again with the part's units given back (its release goes first on the order's partition), but none of the SKU counted short there. */
  private async routeCounted(em: EntityManager, order: Order, part: OrderAllocation, why: string, sku: string | undefined): Promise<void> {
    if (!sku) return this.allocator.reroute(em, order, part.lines, why, part.locationId);
    const counted = stockKey(part.locationId, sku);
    const released = unitsOf([part]);
    released.delete(counted);
    await this.allocator.reroute(em, order, part.lines, why, undefined, { atp: new Map([[counted, 0]]), released });
  }

  /**
   * Staff found fewer units than asked: the part shrinks to what was found and the
   * missing units are re-routed, never to that location again for this order
   * (fulfillment has already taken them out of inventory) unless, backordered, stock
   * counted in there later serves them. At the counter, the units missing are those the store
   * should have held (its own part, and what transfers received had brought) but for those
   * found: the store's own first (an e-reservation is then called off), then units that came by
   * a transfer, routed again too. The others were never there (a transfer on its way, a unit
   * its origin could not find): they are awaited as they were.
   */
  async shortPicked(em: EntityManager, order: Order, parts: OrderAllocation[], event: FulfillmentEvent): Promise<void> {
    const missingBySku = new Map(event.lines.map((line) => [line.sku, line.quantity - Math.min(line.quantity, line.picked)]));
    if (![...missingBySku.values()].some((missing) => missing > 0)) return;
    const atCounter = order.counterFulfillmentId === event.fulfillmentId;
    const why = `short pick at ${event.locationId} (${event.fulfillmentId})`;
    if (atCounter && order.deliveryMode === 'E_RESERVATION') {
      return this.compensation.end(em, order, order.transition('CANCELLED', `NOT_AVAILABLE_IN_STORE: ${why}`), why);
    }
    const part = atCounter ? order.live().find((allocation) => allocation.kind === 'PICKUP') : parts[0];
    const lostHere = atCounter ? missingAtTheStore(order, part, event) : missingBySku;
    const missing = (part?.lines ?? [])
      .map(({ sku, quantity }) => ({ sku, quantity: Math.min(quantity, lostHere.get(sku) ?? 0) }))
      .filter((line) => line.quantity > 0);
    const lost = atCounter ? beyond(lostHere, missing) : [];
    if (!missing.length && !lost.length) return;
    if (part && missing.length) {
      const kept = part.lines
        .map(({ sku, quantity }) => ({ sku, quantity: quantity - (missing.find((line) => line.sku === sku)?.quantity ?? 0) }))
        .filter((line) => line.quantity > 0);
      // Nothing found at all: the part is over, and so is its fulfillment.
      order.updateAllocation(part.reservationId, kept.length ? { lines: kept } : { lines: kept, state: 'RELEASED' });
      if (!kept.length) await this.commands.cancelWorkOf(em, order, part, `${why}: nothing found`);
    }
    const again = [...missing, ...lost];
    await this.allocator.reroute(em, order, again, `${why}: ${describe(again)} not found`, event.locationId);
    await this.settlement.settle(em, order);
  }
}

/** Units the store should hold for the counter (its own part, and what transfers received brought) that its pick did not find, by SKU. */
function missingAtTheStore(order: Order, own: OrderAllocation | undefined, event: FulfillmentEvent): Map<string, number> {
  const expected = new Map<string, number>();
  const received = order.live().filter(({ kind, fulfillmentStatus }) => kind === 'TRANSFER' && fulfillmentStatus === 'RECEIVED');
  for (const { sku, quantity } of [...(own?.lines ?? []), ...received.flatMap((allocation) => allocation.lines)]) expected.set(sku, (expected.get(sku) ?? 0) + quantity);
  return new Map(event.lines.map(({ sku, quantity, picked }) => [sku, Math.max(0, (expected.get(sku) ?? 0) - Math.min(quantity, picked))]));
}

/** Units missing at the counter beyond the store's own part: transfers brought them (their parts are done: nothing shrinks). */
function beyond(lostHere: Map<string, number>, own: AllocationLine[]): AllocationLine[] {
  return [...lostHere]
    .map(([sku, missing]) => ({ sku, quantity: Math.max(0, missing - (own.find((line) => line.sku === sku)?.quantity ?? 0)) }))
    .filter((line) => line.quantity > 0);
}
