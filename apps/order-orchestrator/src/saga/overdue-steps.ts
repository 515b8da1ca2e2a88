import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import type { AvailabilityCheck, Order, OrderAllocation } from '../orders/order.entity';
import { Compensation } from './compensation';
import { describe } from './describe';
import { SagaCommands } from './saga-commands';

/** Commands past their deadline without an answer: sent again, then handed to a person. */
@Injectable()
export class OverdueSteps {
  constructor(
    private readonly commands: SagaCommands,
    private readonly compensation: Compensation,
    private readonly events: OrderEventsPublisher,
  ) {}

  private get settings() {
    return this.commands.settings;
  }

  /**
   * The sweep found steps past their deadline: a command without an answer is sent
   * again, up to `maxAttempts`; then the order waits in NEEDS_ATTENTION, which a late answer
   * leaves by itself (attention.ts) and a person may retry.
   */
  async stepsOverdue(em: EntityManager, order: Order, now = new Date()): Promise<void> {
    const due = (step: { deadline?: string }) => !!step.deadline && Date.parse(step.deadline) <= now.getTime();
    for (const check of order.availabilityChecks.filter(due)) await this.checkOverdue(em, order, check);
    for (const allocation of order.allocations.filter(due)) {
      const attempts = allocation.attempts ?? 1;
      if (allocation.state === 'RESERVING' && attempts < this.settings.maxAttempts) {
        await this.commands.reserve(em, order, allocation, attempts + 1);
      } else if (allocation.state === 'RESERVING') {
        // Not re-routed: inventory is one service and the order's commands share its partition, so a re-route waits on the same silence.
        await this.givenUp(em, order, allocation, `inventory never answered the reservation ${allocation.reservationId} at ${allocation.locationId} (${attempts} attempts): nothing is held or routed elsewhere until it does`);
      } else if (allocation.state === 'HELD' && allocation.fulfillmentId && !allocation.fulfillmentStatus && attempts < this.settings.maxAttempts) {
        await this.commands.createFulfillment(em, order, allocation, attempts + 1);
      } else if (allocation.state === 'HELD' && allocation.fulfillmentId && !allocation.fulfillmentStatus) {
        await this.givenUp(em, order, allocation, `fulfillment never confirmed creating ${allocation.fulfillmentId} at ${allocation.locationId} (${attempts} attempts): nobody may be working on it`);
      } else if (allocation.state === 'RELEASING' && attempts < this.settings.maxAttempts) {
        await this.commands.release(em, order, allocation, 'no answer', attempts + 1);
      } else if (allocation.state === 'RELEASING') {
        await this.givenUp(em, order, allocation, `inventory never confirmed releasing ${allocation.reservationId} at ${allocation.locationId} (${attempts} attempts): stock may still be held`);
      } else if (allocation.state === 'CANCELLING') {
        await this.compensation.callOffOverdue(em, order, allocation, attempts);
      } else {
        order.updateAllocation(allocation.reservationId, { deadline: undefined });
      }
    }
  }

  /** A command sent every time it may be, still unanswered: kept without a deadline for a person to send again, the order in NEEDS_ATTENTION. */
  private async givenUp(em: EntityManager, order: Order, allocation: OrderAllocation, why: string): Promise<void> {
    order.updateAllocation(allocation.reservationId, { deadline: undefined });
    await this.events.needsAttentionAfterSilence(em, order, why);
  }

  /** Inventory has not answered an availability check: asked again, then a person looks (neither allocated nor rejected). */
  private async checkOverdue(em: EntityManager, order: Order, check: AvailabilityCheck): Promise<void> {
    const attempts = check.attempts ?? 1;
    if (order.isSettled()) order.takeCheck(check.requestId);
    else if (attempts < this.settings.maxAttempts) await this.commands.checkAvailability(em, order, check, attempts + 1);
    else {
      // Kept without a deadline: a person may send it again (attention.ts).
      order.updateCheck(check.requestId, { deadline: undefined });
      await this.events.needsAttentionAfterSilence(em, order, `inventory never answered whether it holds ${describe(check.lines)} (${attempts} attempts): they are neither allocated nor backordered`);
    }
  }
}
