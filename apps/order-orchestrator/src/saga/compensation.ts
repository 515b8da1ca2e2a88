import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UNWANTED_GOODS_STATUSES, type AllocationKind, type FulfillmentEvent, type FulfillmentStatus } from '@fil/contracts';
import { goodsLeft, type Order, type OrderAllocation, type OrderStep } from '../orders/order.entity';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { startedBy } from './answered-order';
import { SagaCommands } from './saga-commands';

const pickedLines = (event: FulfillmentEvent) => new Map(event.lines.map(({ sku, quantity, picked }) => [sku, Math.min(quantity, picked)]));

const LEFT: Partial<Record<FulfillmentStatus, string>> = {
  SHIPPED: 'shipped',
  DELIVERED: 'was delivered',
  IN_TRANSIT: 'left for the pickup store',
  RECEIVED: 'reached the pickup store',
  COLLECTED: 'was collected',
};

/** What a person does about goods that left for an order that no longer wanted them. */
const TO_DO: Record<AllocationKind, string> = {
  SHIP: 'recover the parcel from the carrier or have the customer return it, and settle with the customer',
  TRANSFER: 'receive the goods at the pickup store and put them back in stock there',
  PICKUP: 'the customer has the goods: settle the payment with them or take them back as a return',
};

/**
 * Giving parts of an order back. A part that a fulfillment works on keeps its stock held
 * until fulfillment answers: called off (FulfillmentCancelled) → released; the goods had
 * already left (shipped, in transit, collected, or FulfillmentCancelRefused) → committed,
 * and the order NEEDS_ATTENTION with what to do. Releasing at once would put back in
 * stock units that may be on a lorry.
 */
@Injectable()
export class Compensation {
  private readonly logger = new Logger(Compensation.name);

  constructor(
    private readonly commands: SagaCommands,
    private readonly events: OrderEventsPublisher,
  ) {}

  /** The order ends with `step` (just taken): every part given back and nothing left waiting for stock, then the step announced, so that its event lists neither. */
  async end(em: EntityManager, order: Order, step: OrderStep, reason: string, calledOffBefore = false): Promise<void> {
    await this.compensate(em, order, reason, calledOffBefore);
    order.backordered = [];
    await this.events.record(em, order, step);
  }

  /**
   * Every part given back and every fulfillment called off, the pickup store's counter included.
   * Transfers that already left are told too: fulfillment counts their units into the pickup
   * store's stock when they arrive, counter or not (a backordered line has none yet).
   */
  private async compensate(em: EntityManager, order: Order, reason: string, calledOffBefore: boolean): Promise<void> {
    for (const part of order.allocations) await this.callOff(em, order, part, reason, true);
    if (calledOffBefore) return;
    const transfersGone = new Set(order.allocations.filter((part) => part.kind === 'TRANSFER' && goodsLeft(part.fulfillmentStatus)).map((part) => part.fulfillmentId!));
    for (const fulfillmentId of transfersGone) await this.commands.callOffTransferThatLeft(em, order, fulfillmentId, reason);
    if (order.counterFulfillmentId) await this.commands.cancelFulfillment(em, order, order.counterFulfillmentId, reason);
  }

  /**
   * One part given back: released at once when no fulfillment works on it, otherwise its
   * work is called off first. The counter is called off only with the whole order.
   */
  async callOff(em: EntityManager, order: Order, part: OrderAllocation, reason: string, withCounter = false): Promise<void> {
    if (goodsLeft(part.fulfillmentStatus)) return; // its commit is on its way
    const onCounter = !!part.fulfillmentId && part.fulfillmentId === order.counterFulfillmentId;
    const worked = part.state === 'HELD' && !!part.fulfillmentId && part.fulfillmentStatus !== 'CANCELLED' && (withCounter || !onCounter);
    if (!worked) {
      if (part.state === 'RESERVING' || part.state === 'HELD') await this.commands.release(em, order, part, reason);
      return;
    }
    order.updateAllocation(part.reservationId, { state: 'CANCELLING', attempts: 1, deadline: this.commands.deadline() });
    if (!onCounter) await this.commands.cancelFulfillment(em, order, part.fulfillmentId!, reason);
  }

  /**
   * Fulfillment reports on work the order no longer follows (the order is settled, or the
   * part called off): only the stock is at stake. `refusal` is FulfillmentCancelRefused's reason.
   */
  async workReported(em: EntityManager, order: Order, event: FulfillmentEvent, refusal?: string): Promise<void> {
    const parts = order.partsOf(event.fulfillmentId);
    const counterOfTransfers = event.fulfillmentId === order.counterFulfillmentId && !parts.length;
    if (counterOfTransfers && event.status === 'COLLECTED' && order.isGivenUp()) return this.transfersCollected(em, order, event, refusal);
    const news = parts.some((part) => part.fulfillmentStatus !== event.status);
    const gone = goodsLeft(event.status) ? parts.filter((part) => ['HELD', 'CANCELLING'].includes(part.state) && !goodsLeft(part.fulfillmentStatus)) : [];
    const calledOff = gone.some((part) => part.state === 'CANCELLING');
    // What was picked is what may leave: the part no longer follows its picker's short pick, so its units are those found.
    const found = startedBy(event.status) && event.fulfillmentId !== order.counterFulfillmentId ? pickedLines(event) : undefined;
    for (const part of parts) {
      const lines = found && part.lines.map(({ sku, quantity }) => ({ sku, quantity: Math.min(quantity, found.get(sku) ?? 0) })).filter((line) => line.quantity > 0);
      order.updateAllocation(part.reservationId, { fulfillmentStatus: event.status, ...(lines ? { lines } : {}), ...(gone.includes(part) ? { state: 'HELD', deadline: undefined, attempts: undefined } : {}) });
    }
    if (event.status === 'CANCELLED') {
      for (const part of parts.filter((candidate) => candidate.state === 'CANCELLING')) await this.commands.release(em, order, part, `${event.fulfillmentId} called off`);
    }
    if (!gone.length) {
      // A parcel delivered anyway (a cancel racing the ship), said once so that returns learns what the customer holds: those units may come back.
      // A collect is not: it happens at the counter, where the step into NEEDS_ATTENTION already says what to settle.
      const reachedCustomer = news && event.status === 'DELIVERED' && UNWANTED_GOODS_STATUSES.includes(order.status);
      if (reachedCustomer) await this.events.record(em, order, order.restate(`${event.fulfillmentId} at ${event.locationId} ${LEFT[event.status]} though the order is ${order.status}: its units may be returned`));
      return;
    }
    await this.commands.commit(em, order, gone);
    const carrier = [event.carrier, event.trackingNumber].filter(Boolean).join(' ');
    const why =
      `${event.fulfillmentId} at ${event.locationId} ${LEFT[event.status]}${carrier ? ` with ${carrier}` : ''}` +
      `${calledOff ? ' before it could be called off' : ` while the order was ${order.status}`}${refusal ? ` (${refusal})` : ''}` +
      `: its stock is committed; to do: ${this.toDo(order, event)}`;
    if (order.canMoveTo('NEEDS_ATTENTION')) return this.events.transition(em, order, 'NEEDS_ATTENTION', why);
    this.logger.warn(`order ${order.orderId} stays ${order.status}: ${why}`);
    // Goods gone that the order no longer wanted: only a person can settle that, whatever answers come later.
    if (calledOff || order.isGivenUp()) order.attentionOnSilence = false;
  }

  /**
   * A counter serving transfers only, collected though the order no longer wanted it: it has no
   * part of its own, so its transfers' parts say what the customer took (returns reads them); once.
   */
  private async transfersCollected(em: EntityManager, order: Order, event: FulfillmentEvent, refusal?: string): Promise<void> {
    const received = order.live().filter((part) => part.kind === 'TRANSFER' && part.fulfillmentStatus === 'RECEIVED');
    if (!received.length) return;
    for (const part of received) order.updateAllocation(part.reservationId, { fulfillmentStatus: 'COLLECTED' });
    const why =
      `${event.fulfillmentId} at ${event.locationId} ${LEFT.COLLECTED} while the order was ${order.status}${refusal ? ` (${refusal})` : ''}` +
      `: its transfers' stock was committed when they left; to do: ${TO_DO.PICKUP}`;
    if (order.canMoveTo('NEEDS_ATTENTION')) return this.events.transition(em, order, 'NEEDS_ATTENTION', why);
    await this.events.record(em, order, order.restate(why));
    order.attentionOnSilence = false;
  }

  /** A transfer of an order given up is counted into the store's stock when received (fulfillment does it): nothing to put back by hand. */
  private toDo(order: Order, event: FulfillmentEvent): string {
    if (event.kind === 'TRANSFER' && order.isGivenUp()) return `receive the goods at ${order.pickupLocationId}: they are counted into its stock there`;
    return TO_DO[event.kind];
  }

  /** Fulfillment did not answer a call-off in time: asked again, then a person looks (the stock is still held). */
  async callOffOverdue(em: EntityManager, order: Order, part: OrderAllocation, attempts: number): Promise<void> {
    if (attempts < this.commands.settings.maxAttempts) {
      order.updateAllocation(part.reservationId, { attempts: attempts + 1, deadline: this.commands.deadline() });
      return this.commands.cancelFulfillment(em, order, part.fulfillmentId!, `no answer to the call-off of ${part.fulfillmentId}`, attempts + 1, part.round);
    }
    order.updateAllocation(part.reservationId, { deadline: undefined });
    const why =
      `fulfillment never confirmed calling off ${part.fulfillmentId} at ${part.locationId} (${attempts} attempts): ` +
      `its stock is still held; to do: ask ${part.locationId} whether the goods left`;
    // Fulfillment's late answer says whether they left (attention.ts takes the order back if they did not).
    await this.events.needsAttentionAfterSilence(em, order, why);
  }
}
