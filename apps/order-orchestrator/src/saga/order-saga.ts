import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Order } from '../orders/order.entity';
import { Allocator } from './allocator';

/**
 * The order's journey across inventory and fulfillment: each step, then its compensation.
 *
 * 1. Route (allocator.ts): ReserveStock for each part, one reservation at one location.
 *    ↩ a part refused or short is re-routed away from that location, up to
 *      `maxReroutes`; then backordered, or the order rejected with every hold released.
 * 2. Confirm a shortfall (reservation-answers.ts): nothing is backordered or rejected on the
 *    view alone; CheckAvailability, and the lines routed again on AvailabilityReported.
 *    ↩ no answer: NEEDS_ATTENTION.
 * 3. Held (reservation-answers.ts, settlement.ts): once no part is pending, ALLOCATED,
 *    PARTIALLY_ALLOCATED or RESERVED, and CreateFulfillment for each held part.
 *    ↩ held for an order already settled: released.
 * 4. Shortages (shortages.ts): StockShortage or a short pick.
 *    ↩ the part called off (compensation.ts) and routed again (a count's, once its stock is
 *      given back, its SKU counted short elsewhere); an e-reservation CANCELLED.
 * 5. Fulfillment (fulfillment-progress.ts): IN_FULFILLMENT, SHIPPED, DELIVERED,
 *    READY_FOR_PICKUP, COLLECTED; CommitReservation as the goods leave.
 *    ↩ goods that left for an order that no longer wants them: committed, NEEDS_ATTENTION.
 * 6. Expiry (reservation-answers.ts): an e-reservation not collected is EXPIRED.
 *    ↩ every part given back; an expired hold of any other order is re-routed.
 * 7. Returns (refunds.ts): RefundIssued → PARTIALLY_RETURNED, RETURNED.
 * Deadlines (overdue-steps.ts): a command is sent again up to `maxAttempts`; then the
 * order waits in NEEDS_ATTENTION (a silent inventory is not routed around), where a person
 * retries or releases (attention.ts: the order back where it was, the saga going on, acting on
 * what inventory answered meanwhile) or cancels; a late answer to a step given up takes an
 * order that waited only for that silence back without a person.
 * Cancelling (cancellation.ts) compensates every step at once (compensation.ts); backorders
 * (backorders.ts) are routed again when stock rises.
 *
 * Each step runs in the transaction of the message, request or sweep that caused it, under
 * the order's row lock; answers for unknown orders or steps already past change nothing.
 * saga.controller.ts shows which answer drives which step.
 */
@Injectable()
export class OrderSaga {
  constructor(private readonly allocator: Allocator) {}

  /** Step 1: a RECEIVED order is routed; inventory is asked to hold each part, or the order is rejected. */
  async route(em: EntityManager, order: Order): Promise<void> {
    await this.allocator.allocate(em, order, order.lines, 'initial routing', 'route');
  }
}
