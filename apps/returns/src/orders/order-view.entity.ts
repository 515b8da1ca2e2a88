import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { PARTLY_DELIVERED_STATUSES, RETURNABLE_STATUSES, UNWANTED_GOODS_STATUSES, type OrderEvent, type OrderStatus } from '@fil/contracts';
import { sumBySku } from '../returns/return.entity';
import { ReturnRefused } from '../returns/return.errors';

export interface OrderViewLine {
  sku: string;
  quantity: number;
  unitPrice: number;
}

const DELIVERED_STATUSES: readonly OrderStatus[] = ['DELIVERED', 'COLLECTED'];
/** Wholly delivered or collected once: later events do not change what reached the customer. */
const WHOLLY_DELIVERED: readonly OrderStatus[] = [...RETURNABLE_STATUSES, 'RETURNED'];
/** Parts reach the customer one by one, or some did though the order no longer wanted them: those may come back. */
const PARTS_DELIVERED: readonly OrderStatus[] = [...PARTLY_DELIVERED_STATUSES, ...UNWANTED_GOODS_STATUSES];
const AT_THE_CUSTOMER: readonly string[] = ['DELIVERED', 'COLLECTED'];
const DAY_MS = 24 * 60 * 60 * 1000;

/** The order as returns saw it on `fil.orders.events.v1`: what a return is checked against. */
@Entity({ tableName: 'order_view' })
export class OrderView {
  @PrimaryKey({ type: 'string' }) orderId: string;
  @Property({ type: 'string' }) status: OrderStatus;
  @Property({ type: 'string', nullable: true }) currency?: string;
  @Property({ type: 'string', nullable: true }) channel?: string;
  @Property({ type: 'json' }) lines: OrderViewLine[] = [];
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true }) deliveredAt?: Date;
  /**
   * Units per SKU that reached the customer: the parcels announced DELIVERED so far, then the
   * allocations of the DELIVERED or COLLECTED event (short picks and backorders make it less
   * than ordered). Null when that event named no allocations: the ordered quantities stand in.
   * `deliveredAt`, from which the return window counts, is when it last grew.
   */
  @Property({ type: 'json', nullable: true }) delivered?: Record<string, number> | null;
  /** occurredAt of the newest event applied, so that a late older event cannot roll the view back. */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true }) lastEventAt?: Date;
  /** The order's journey, so that its returns and refund join the same trace. */
  @Property({ type: 'string', columnType: 'text', nullable: true }) traceparent?: string;
  @Property({ type: 'Date', columnType: 'timestamptz' }) updatedAt: Date = new Date();

  constructor(orderId: string) {
    this.orderId = orderId;
  }

  /** Applies an order event; returns false when it is older than what the view already holds. */
  apply(event: OrderEvent, now: Date): boolean {
    const occurredAt = event.occurredAt ? new Date(event.occurredAt) : undefined;
    const known = occurredAt && !Number.isNaN(occurredAt.getTime()) ? occurredAt : undefined;
    if (known && this.lastEventAt && known < this.lastEventAt) return false;
    const wasDelivered = WHOLLY_DELIVERED.includes(this.status);
    this.status = event.status;
    if (event.currency) this.currency = event.currency;
    if (event.channel) this.channel = event.channel;
    if (event.lines?.length) {
      this.lines = event.lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice }));
    }
    const allocations = event.allocations ?? [];
    if (DELIVERED_STATUSES.includes(event.status) && !wasDelivered) {
      this.deliveredAt = known ?? now;
      const parts = allocations.flatMap((allocation) => allocation.lines ?? []);
      this.delivered = parts.length ? Object.fromEntries(sumBySku(parts)) : null;
    } else if (PARTS_DELIVERED.includes(event.status)) {
      const parcels = Object.fromEntries(sumBySku(allocations.filter((allocation) => AT_THE_CUSTOMER.includes(allocation.fulfillmentStatus ?? '')).flatMap((allocation) => allocation.lines ?? [])));
      const grew = Object.entries(parcels).some(([sku, units]) => units > (this.delivered?.[sku] ?? 0));
      if (grew) {
        this.delivered = parcels;
        this.deliveredAt = known ?? now;
      }
    }
    if (known) this.lastEventAt = known;
    this.updatedAt = now;
    return true;
  }

  orderedQuantity(sku: string): number {
    return this.lines.filter((line) => line.sku === sku).reduce((sum, line) => sum + line.quantity, 0);
  }

  /** What may come back at most: what was delivered (see `delivered`), never more than ordered. */
  deliveredQuantity(sku: string): number {
    const ordered = this.orderedQuantity(sku);
    return this.delivered ? Math.min(ordered, this.delivered[sku] ?? 0) : ordered;
  }

  /**
   * Throws ReturnRefused unless `requested` (quantity per SKU) may be returned now,
   * given what other non-rejected returns of this order already claim.
   */
  assertReturnable(requested: Map<string, number>, alreadyRequested: Map<string, number>, now: Date, windowDays: number) {
    // A RETURNED order was delivered: what is left to return (nothing) says why, not its status.
    const returnable = WHOLLY_DELIVERED.includes(this.status) || (PARTS_DELIVERED.includes(this.status) && !!this.delivered);
    if (!returnable || !this.deliveredAt) {
      throw new ReturnRefused('ORDER_NOT_DELIVERED', `order ${this.orderId} is ${this.status}, not delivered or collected`);
    }
    const closesAt = new Date(this.deliveredAt.getTime() + windowDays * DAY_MS);
    if (now > closesAt) {
      throw new ReturnRefused(
        'RETURN_WINDOW_EXPIRED',
        `the ${windowDays}-day return window of order ${this.orderId} closed at ${closesAt.toISOString()}`,
      );
    }
    for (const [sku, quantity] of requested) {
      if (!this.orderedQuantity(sku)) throw new ReturnRefused('SKU_NOT_ON_ORDER', `sku ${sku} is not on order ${this.orderId}`);
      const delivered = this.deliveredQuantity(sku);
      const claimed = alreadyRequested.get(sku) ?? 0;
      const left = delivered - claimed;
      // Parcels still on their way (or returns yet to hear of their delivery) may bring the units: refused for now, and checked again.
      const mayArrive = PARTLY_DELIVERED_STATUSES.includes(this.status) && quantity <= this.orderedQuantity(sku) - claimed;
      if (quantity > left && mayArrive) {
        throw new ReturnRefused('ORDER_NOT_DELIVERED', `sku ${sku}: ${quantity} requested but only ${Math.max(0, left)} delivered so far: order ${this.orderId} is ${this.status}, the rest on its way`);
      }
      if (quantity > left) {
        throw new ReturnRefused(
          'QUANTITY_EXCEEDED',
          `sku ${sku}: ${quantity} requested but only ${Math.max(0, left)} of ${delivered} delivered may still be returned`,
        );
      }
    }
  }
}
