import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { Allocation, AllocationLine, DeliveryMode, OrderEvent, OrderLine, OrderStatus } from '@fil/contracts';

/** A move the order's lifecycle does not allow: a bug upstream, or an HTTP 409 with the message. */
export class OrderTransitionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderTransitionRefused';
  }
}

/** Where each status may go next; anything else is refused. */
const LIFECYCLE: Partial<Record<OrderStatus, readonly OrderStatus[]>> = {
  RECEIVED: ['ALLOCATED', 'REJECTED', 'CANCELLED'],
  ALLOCATED: ['IN_FULFILLMENT', 'SHIPPED', 'CANCELLED'],
  IN_FULFILLMENT: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: ['PARTIALLY_RETURNED', 'RETURNED'],
  PARTIALLY_RETURNED: ['PARTIALLY_RETURNED', 'RETURNED'],
};

/** Why an order in each final-ish status can no longer be cancelled, for the 409 and the DLQ. */
const NOT_CANCELLABLE: Partial<Record<OrderStatus, string>> = {
  SHIPPED: 'a part has already shipped',
  DELIVERED: 'it has already been delivered',
  COLLECTED: 'it has already been collected',
  PARTIALLY_RETURNED: 'it has already been delivered',
  RETURNED: 'it has already been delivered and returned',
  REJECTED: 'it was rejected',
  CANCELLED: 'it is already cancelled',
  EXPIRED: 'it has expired',
};

/** An allocation as the order remembers it: the stock held for it and the fulfillment doing the work. */
export interface OrderAllocation extends Allocation {
  fulfillmentId?: string;
}

/** One step of the timeline, numbered from 1 per order. */
export interface OrderStep {
  number: number;
  from: OrderStatus | null;
  to: OrderStatus;
  cause: string;
  at: Date;
}

export interface OrderFields {
  orderId: string;
  channel?: string;
  deliveryMode?: DeliveryMode;
  customer?: Record<string, unknown>;
  shippingAddress?: Record<string, unknown>;
  pickupLocationId?: string;
  lines: OrderLine[];
  currency?: string;
  placedAt?: Date;
  contentHash: string;
  traceparent?: string;
}

/**
 * An order as a channel submitted it, with where it stands. The status only
 * moves along LIFECYCLE; every move is a numbered step that the caller records
 * in the timeline and publishes (OrderEventsPublisher).
 */
@Entity({ tableName: 'customer_order' })
export class Order {
  @PrimaryKey({ type: 'string', columnType: 'text' }) orderId: string;
  @Property({ type: 'string', columnType: 'text', nullable: true }) channel?: string;
  @Property({ type: 'string', columnType: 'text', nullable: true }) deliveryMode?: DeliveryMode;
  @Property({ type: 'json', nullable: true }) customer?: Record<string, unknown>;
  /** Copied out of `customer` so a customer's orders are an index look-up. */
  @Property({ type: 'string', columnType: 'text', nullable: true }) customerId?: string;
  @Property({ type: 'json', nullable: true }) shippingAddress?: Record<string, unknown>;
  @Property({ type: 'string', columnType: 'text', nullable: true }) pickupLocationId?: string;
  @Property({ type: 'json' }) lines: OrderLine[];
  @Property({ type: 'string', columnType: 'text', nullable: true }) currency?: string;
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true }) placedAt?: Date;
  @Property({ type: 'string', columnType: 'text' }) status: OrderStatus;
  @Property({ type: 'json' }) allocations: OrderAllocation[] = [];
  @Property({ type: 'json' }) backordered: AllocationLine[] = [];
  /** The routing explanation: candidates, the choice and why. */
  @Property({ type: 'json', nullable: true }) routing?: unknown;
  /** Units returned per SKU, from refunds. */
  @Property({ type: 'json' }) returned: Record<string, number> = {};
  /** Refunds already counted: the same refund may arrive again under a new message id. */
  @Property({ type: 'json' }) refundIds: string[] = [];
  /** Validation errors of a rejected submission. */
  @Property({ type: 'json' }) errors: string[] = [];
  /** sha256 of the submitted value: the same orderId with other content is a conflict, not a duplicate. */
  @Property({ type: 'string', columnType: 'text' }) contentHash: string;
  /** The order journey's trace, continued by later HTTP steps. */
  @Property({ type: 'string', columnType: 'text', nullable: true }) traceparent?: string;
  /** Steps taken so far: the next step's number, and the ce_id of its event. */
  @Property({ type: 'integer' }) steps = 0;
  @Property({ type: 'integer', version: true }) version: number;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt: Date;
  @Property({ type: 'Date', columnType: 'timestamptz' }) updatedAt: Date;

  private constructor(fields: OrderFields, now: Date) {
    Object.assign(this, fields);
    this.customerId = typeof fields.customer?.id === 'string' ? fields.customer.id : undefined;
    this.createdAt = now;
    this.updatedAt = now;
  }

  /** A valid submission: the order exists, RECEIVED, and waits for routing. */
  static receive(fields: OrderFields, cause: string, now = new Date()): { order: Order; step: OrderStep } {
    const order = new Order(fields, now);
    return { order, step: order.open('RECEIVED', cause, now) };
  }

  /** An invalid submission whose orderId could be read: kept, REJECTED, with its errors. */
  static reject(fields: OrderFields, errors: string[], cause: string, now = new Date()): { order: Order; step: OrderStep } {
    const order = new Order(fields, now);
    order.errors = errors;
    return { order, step: order.open('REJECTED', cause, now) };
  }

  /** Moves along the lifecycle, or throws OrderTransitionRefused. */
  transition(to: OrderStatus, cause: string, now = new Date()): OrderStep {
    if (!LIFECYCLE[this.status]?.includes(to)) {
      throw new OrderTransitionRefused(`order ${this.orderId} cannot go from ${this.status} to ${to}`);
    }
    const from = this.status;
    this.status = to;
    return this.step(from, to, cause, now);
  }

  /** Whether a cancellation would be accepted now, and if not, why. */
  whyNotCancellable(): string | undefined {
    const why = NOT_CANCELLABLE[this.status];
    return why && `order ${this.orderId} cannot be cancelled: ${why} (status ${this.status})`;
  }

  /** Accepted until a part has shipped or been collected; the caller then undoes what the saga did. */
  cancel(reason: string, now = new Date()): OrderStep {
    const why = this.whyNotCancellable();
    if (why) throw new OrderTransitionRefused(why);
    return this.transition('CANCELLED', reason, now);
  }

  /** Counts returned units; true when every ordered unit has come back. */
  addReturned(lines: AllocationLine[]): boolean {
    const returned = { ...this.returned };
    for (const { sku, quantity } of lines) returned[sku] = (returned[sku] ?? 0) + quantity;
    this.returned = returned;
    return [...orderedBySku(this.lines)].every(([sku, ordered]) => (returned[sku] ?? 0) >= ordered);
  }

  /** The value of the event announcing `step` on `fil.orders.events.v1`: the whole current state. */
  toEvent(step: OrderStep): OrderEvent {
    return {
      orderId: this.orderId,
      status: this.status,
      previousStatus: step.from ?? undefined,
      reason: step.cause,
      errors: this.errors.length ? this.errors : undefined,
      channel: this.channel ?? undefined,
      deliveryMode: this.deliveryMode ?? undefined,
      customerId: this.customerId ?? undefined,
      currency: this.currency ?? undefined,
      lines: this.lines,
      allocations: this.allocations,
      occurredAt: step.at.toISOString(),
    };
  }

  private open(status: OrderStatus, cause: string, now: Date): OrderStep {
    this.status = status;
    return this.step(null, status, cause, now);
  }

  private step(from: OrderStatus | null, to: OrderStatus, cause: string, at: Date): OrderStep {
    this.steps += 1;
    this.updatedAt = at;
    return { number: this.steps, from, to, cause, at };
  }
}

export function orderedBySku(lines: { sku: string; quantity: number }[]): Map<string, number> {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return bySku;
}
