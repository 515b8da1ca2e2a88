import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AvailabilityReport, ReservationOutcome } from '@fil/contracts';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import type { Order, OrderAllocation, ReservationState } from '../orders/order.entity';
import { mergeBySku } from '../routing/route-order';
import { StockService, stockKey } from '../stock/stock.service';
import { Allocator } from './allocator';
import { lockAnswered, partOf, workStarted } from './answered-order';
import { backorderDue } from './backorder-due';
import { Compensation } from './compensation';
import { describe } from './describe';
import { SagaCommands } from './saga-commands';
import { Settlement } from './settlement';
import { Shortages } from './shortages';

/** Inventory's answers about one reservation (held, refused, given back, consumed, expired) and about its own figures. */
@Injectable()
export class ReservationAnswers {
  constructor(
    private readonly allocator: Allocator,
    private readonly settlement: Settlement,
    private readonly shortages: Shortages,
    private readonly commands: SagaCommands,
    private readonly compensation: Compensation,
    private readonly events: OrderEventsPublisher,
    private readonly stock: StockService,
  ) {}

  /** Inventory's own figures for a shortfall the view suggested: the lines are routed on them, and only then backordered or rejected. */
  async availabilityReported(em: EntityManager, report: AvailabilityReport): Promise<void> {
    const order = await lockAnswered(em, report.orderId);
    // Kept while a person looks: their retry asks again, and the order is routed on the figures of then.
    if (!order || order.waitsForAPerson()) return;
    const check = order.takeCheck(report.requestId);
    if (!check || order.isSettled()) return;
    const atp = new Map(report.levels.map((level) => [stockKey(level.locationId, level.sku), level.atp]));
    await this.allocator.allocate(em, order, check.lines, check.why, check.purpose, { atp, complete: true });
    await this.settlement.settle(em, order);
  }

  /** Inventory holds one part. Once no part is pending, the order is allocated (or reserved) and fulfillment starts. */
  async stockReserved(em: EntityManager, outcome: ReservationOutcome): Promise<void> {
    const order = await lockAnswered(em, outcome.orderId);
    const allocation = order && partOf(order, outcome.reservationId, ['RESERVING']);
    if (!order || !allocation) return;
    const held = order.updateAllocation(allocation.reservationId, { state: 'HELD', deadline: undefined, attempts: undefined })!;
    // Booked while a person looks at an order that still wants it: resumed, the order goes on with it (attention.ts).
    if (order.waitsForAPerson()) return;
    if (order.isSettled()) return this.commands.release(em, order, held, `order ${order.status.toLowerCase()}`);
    if (held.shortage) return this.shortages.hit(em, order, held, held.shortage, held.countedShort);
    await this.settlement.settle(em, order);
  }

  /** Inventory refused one part (the view was stale): that part is re-routed with inventory's figures. */
  async stockReservationRefused(em: EntityManager, outcome: ReservationOutcome): Promise<void> {
    const order = await lockAnswered(em, outcome.orderId);
    const allocation = order && partOf(order, outcome.reservationId, ['RESERVING', 'RELEASING']);
    if (!order || !allocation) return;
    const wasReleasing = allocation.state === 'RELEASING';
    const why = `${allocation.locationId} refused ${allocation.reservationId} (${outcome.reason ?? 'no reason given'})`;
    order.updateAllocation(allocation.reservationId, { state: wasReleasing ? 'RELEASED' : 'REFUSED', deadline: undefined, attempts: undefined });
    if (allocation.kind !== 'PICKUP') await this.stock.countStarted(em, allocation.locationId, -1);
    if (wasReleasing || (order.isSettled() && !order.waitsForAPerson())) return;
    if (allocation.backorderRetry) {
      // The stock a retry counted on was taken: the units wait again, tried once more when the view has caught up.
      order.backordered = mergeBySku([...order.backordered, ...allocation.lines]);
      await backorderDue(em, order.orderId);
      return this.settlement.settle(em, order);
    }
    const fresher = new Map((outcome.shortLines ?? []).map((line) => [stockKey(allocation.locationId, line.sku), line.atp]));
    if (order.waitsForAPerson()) return void order.updateAllocation(allocation.reservationId, { rerouteOnResume: why });
    // Without figures to correct the view (an unknown location), only leaving the location out makes progress.
    await this.allocator.reroute(em, order, allocation.lines, why, fresher.size ? undefined : allocation.locationId, { atp: fresher });
    await this.settlement.settle(em, order);
  }

  /** Inventory gave the stock back (a compensation) or consumed it (shipped, collected). */
  async reservationSettled(em: EntityManager, outcome: ReservationOutcome, state: ReservationState): Promise<void> {
    const order = await lockAnswered(em, outcome.orderId);
    const allocation = order && partOf(order, outcome.reservationId);
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
    const order = await lockAnswered(em, outcome.orderId);
    const allocation = order && partOf(order, outcome.reservationId);
    if (!order || !allocation || allocation.state === 'EXPIRED') return;
    // Being called off: fulfillment's answer (work cancelled, or goods left) is still what ends it, and its release is answered EXPIRED.
    if (allocation.state === 'CANCELLING') return;
    const wasHeld = allocation.state === 'HELD';
    const expired = order.updateAllocation(allocation.reservationId, { state: 'EXPIRED', deadline: undefined, attempts: undefined })!;
    if (!wasHeld) return;
    const why = `reservation ${allocation.reservationId} at ${allocation.locationId} expired`;
    if (order.waitsForAPerson()) return void order.updateAllocation(allocation.reservationId, { rerouteOnResume: why });
    if (!order.isSettled()) await this.heldPartLost(em, order, expired, why);
  }

  /**
   * Parts inventory gave up while a person looked at the order (refused, expired, or given up by
   * the sweep): acted on now that the order is back in its status, as if the answer came now.
   */
  async actOnResume(em: EntityManager, order: Order): Promise<void> {
    for (const part of order.allocations.filter((candidate) => candidate.rerouteOnResume)) {
      const why = part.rerouteOnResume!;
      order.updateAllocation(part.reservationId, { rerouteOnResume: undefined });
      if (order.isSettled()) continue;
      if (part.state === 'EXPIRED') await this.heldPartLost(em, order, part, why);
      else await this.allocator.reroute(em, order, part.lines, why, part.locationId);
    }
    await this.settlement.settle(em, order);
  }

  /** A held part's stock is gone: an e-reservation not collected in time is EXPIRED; any other part is re-routed unless its work started. */
  private async heldPartLost(em: EntityManager, order: Order, part: OrderAllocation, why: string): Promise<void> {
    if (order.deliveryMode === 'E_RESERVATION' && ['RESERVED', 'READY_FOR_PICKUP'].includes(order.status)) {
      return this.compensation.end(em, order, order.transition('EXPIRED', `reservation ${part.reservationId} at ${part.locationId} was not collected in time`), 'e-reservation expired');
    }
    if (workStarted(part)) return;
    await this.commands.cancelWorkOf(em, order, part, 'reservation expired');
    await this.allocator.reroute(em, order, part.lines, why, part.locationId);
    await this.settlement.settle(em, order);
  }
}
