import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  FulfillmentCommandTypes,
  InventoryCommandTypes,
  Topics,
  type CheckAvailabilityDto,
  type CreateFulfillment,
  type ReservationRefDto,
  type ReserveStockDto,
} from '@fil/contracts';
import { Outbox } from '@fil/messaging';
import type { AvailabilityCheck, Order, OrderAllocation } from '../orders/order.entity';
import { mergeBySku } from '../routing/route-order';
import { StockService } from '../stock/stock.service';
import { sagaSettingsFromEnv } from './saga-settings';

/**
 * Every command the saga sends, each an outbox row in the caller's transaction. A
 * command that waits for an answer sets its deadline on the order; a resend (attempt > 1)
 * is a new message, so a consumer's dedupe does not swallow it.
 */
@Injectable()
export class SagaCommands {
  private readonly logger = new Logger(SagaCommands.name);
  readonly settings = sagaSettingsFromEnv();

  constructor(
    private readonly outbox: Outbox,
    private readonly stock: StockService,
  ) {}

  /** Inventory is asked to hold one part, all lines or none. */
  async reserve(em: EntityManager, order: Order, part: OrderAllocation, attempt = 1): Promise<void> {
    const command: ReserveStockDto = {
      reservationId: part.reservationId,
      orderId: order.orderId,
      locationId: part.locationId,
      lines: part.lines,
      // What is left of the hold's time: a hold moved to another store, or asked again, keeps the order's deadline.
      ...(order.deliveryMode === 'E_RESERVATION' ? this.holdUntilDeadline(order) : {}),
    };
    order.updateAllocation(part.reservationId, { state: 'RESERVING', attempts: attempt, deadline: this.deadline() });
    await this.send(em, order, Topics.inventoryCommands, InventoryCommandTypes.reserve, command, part.reservationId, attempt, part.round);
  }

  /** Inventory is asked to give a hold back. */
  async release(em: EntityManager, order: Order, part: OrderAllocation, reason: string, attempt = 1): Promise<void> {
    if (attempt === 1) this.logger.log(`releasing ${part.reservationId}: ${reason}`);
    const ref: ReservationRefDto = { reservationId: part.reservationId, orderId: order.orderId };
    order.updateAllocation(part.reservationId, { state: 'RELEASING', attempts: attempt, deadline: this.deadline() });
    await this.send(em, order, Topics.inventoryCommands, InventoryCommandTypes.release, ref, part.reservationId, attempt, part.round);
  }

  /** The goods left or were handed over: inventory turns each hold into consumed stock. */
  async commit(em: EntityManager, order: Order, parts: OrderAllocation[]): Promise<void> {
    for (const part of parts.filter((candidate) => candidate.state === 'HELD' || candidate.state === 'CANCELLING')) {
      const ref: ReservationRefDto = { reservationId: part.reservationId, orderId: order.orderId };
      await this.send(em, order, Topics.inventoryCommands, InventoryCommandTypes.commit, ref, part.reservationId, 1);
    }
  }

  /** The fulfillment doing a part's work; it must be announced before its deadline. */
  async createFulfillment(em: EntityManager, order: Order, part: OrderAllocation, attempt = 1): Promise<void> {
    const command: CreateFulfillment =
      part.fulfillmentId === order.counterFulfillmentId
        ? this.counterCommand(order, part)
        : {
            fulfillmentId: part.fulfillmentId!,
            orderId: order.orderId,
            locationId: part.locationId,
            kind: part.kind,
            reservationId: part.reservationId,
            lines: part.lines,
            ...(part.kind === 'TRANSFER' ? { destinationLocationId: order.pickupLocationId } : {}),
          };
    // A counter is counted against the store's daily capacity once, however often it is sent; other parts were when they were routed.
    if (attempt === 1 && !part.round && part.fulfillmentId === order.counterFulfillmentId) await this.stock.countStarted(em, command.locationId);
    order.updateAllocation(part.reservationId, { attempts: attempt, deadline: this.deadline() });
    await this.send(em, order, Topics.fulfillmentCommands, FulfillmentCommandTypes.create, command, command.fulfillmentId, attempt, part.round);
  }

  /** A counter serving transfers only: no part of its own to watch, so it is sent once. */
  async createCounter(em: EntityManager, order: Order): Promise<void> {
    await this.stock.countStarted(em, order.pickupLocationId!);
    await this.send(em, order, Topics.fulfillmentCommands, FulfillmentCommandTypes.create, this.counterCommand(order, undefined), order.counterFulfillmentId!, 1);
  }

  /** Calls off a fulfillment (a part's, or the pickup store's counter). */
  async cancelFulfillment(em: EntityManager, order: Order, fulfillmentId: string, reason: string, attempt = 1, round?: number): Promise<void> {
    // The order given up (not edited): what transfers bring the pickup store stays there, in its stock, if they left before the call-off.
    const toTheStore = fulfillmentId === order.counterFulfillmentId || order.partsOf(fulfillmentId).some((part) => part.kind === 'TRANSFER');
    const transfersBackInStock = toTheStore && order.isGivenUp() ? { transfersBackInStock: true } : {};
    await this.send(em, order, Topics.fulfillmentCommands, FulfillmentCommandTypes.cancel, { fulfillmentId, orderId: order.orderId, reason, ...transfersBackInStock }, fulfillmentId, attempt, round);
  }

  /**
   * Tells a transfer that left that its order was given up, so that its units go into the pickup
   * store's stock: a message id of its own, since a call-off of the same transfer may have gone
   * before (a shortage's, which the ship overtook) with other content.
   */
  async callOffTransferThatLeft(em: EntityManager, order: Order, fulfillmentId: string, reason: string): Promise<void> {
    await this.send(em, order, Topics.fulfillmentCommands, FulfillmentCommandTypes.cancel, { fulfillmentId, orderId: order.orderId, reason, transfersBackInStock: true }, `${fulfillmentId}:left`, 1);
  }

  /** Calls off the fulfillment doing a part's own work; never the counter, which serves the whole order. */
  async cancelWorkOf(em: EntityManager, order: Order, part: OrderAllocation, reason: string): Promise<void> {
    if (part.fulfillmentId && part.fulfillmentId !== order.counterFulfillmentId) await this.cancelFulfillment(em, order, part.fulfillmentId, reason);
  }

  /** Inventory is asked for its own figures of the SKUs of a shortfall the view suggested. */
  async checkAvailability(em: EntityManager, order: Order, check: AvailabilityCheck, attempt = 1): Promise<void> {
    const question: CheckAvailabilityDto = { requestId: check.requestId, orderId: order.orderId, skus: [...new Set(check.lines.map((line) => line.sku))] };
    order.updateCheck(check.requestId, { attempts: attempt, deadline: this.deadline() });
    await this.send(em, order, Topics.inventoryCommands, InventoryCommandTypes.checkAvailability, question, check.requestId, attempt, check.round);
  }

  deadline(): string {
    return new Date(Date.now() + this.settings.stepTimeoutMs).toISOString();
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
      // The store's own units: the rest comes by transfer, and the counter waits for it even when a transfer comes short.
      ownLines: mergeBySku(order.live().filter((part) => part.kind === 'PICKUP' && part.state === 'HELD').flatMap((part) => part.lines)),
      ...(order.deliveryMode === 'E_RESERVATION' ? { expiresAt: this.eReservationDeadline(order).toISOString() } : {}),
    };
  }

  /** The deadline itself, which inventory keeps however late it handles the command; the time left too, for an inventory that reads only that. */
  private holdUntilDeadline(order: Order): Pick<ReserveStockDto, 'ttlSeconds' | 'expiresAt'> {
    const deadline = this.eReservationDeadline(order);
    return { ttlSeconds: Math.max(1, Math.ceil((deadline.getTime() - Date.now()) / 1000)), expiresAt: deadline.toISOString() };
  }

  /** One deadline for an e-reservation, wherever it is held: the counter refuses a collect, and inventory lets the hold go, after it. */
  private eReservationDeadline(order: Order): Date {
    return new Date(order.createdAt.getTime() + this.settings.eReservationTtlSeconds * 1000);
  }

  /** ce_id `<subject>:<type>`, then `:<attempt>` for a resend; `:R<round>` before it once a person sent the command again. */
  private send(em: EntityManager, order: Order, topic: string, type: string, data: unknown, subject: string, attempt: number, round = 0): Promise<void> {
    return this.outbox.add(em, { topic, key: order.orderId, type, data, id: `${subject}:${type}${round ? `:R${round}` : ''}${attempt > 1 ? `:${attempt}` : ''}` });
  }
}
