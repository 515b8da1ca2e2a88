import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { Allocation, AllocationLine, DeliveryMode, FulfillmentStatus, OrderEvent, OrderLine, OrderStatus } from '@fil/contracts';
import { OrderRoutingRecord, type RoutingRecord } from './order-routing-record.entity';

/** A move the order's lifecycle does not allow: a bug upstream, or an HTTP 409 with the message. */
export class OrderTransitionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderTransitionRefused';
  }
}

const ATTENTION: OrderStatus = 'NEEDS_ATTENTION';

/**
 * Where each status may go next; anything else is refused. A status may follow itself
 * where the order's allocations change without a new status (a re-route, one shipment
 * of several leaving or delivered, units of a delivered parcel returned). Any status but NEEDS_ATTENTION itself may go to NEEDS_ATTENTION, which
 * leaves for CANCELLED or, by a person's retry or release only (`resume`), back where it came from.
 */
const LIFECYCLE: Partial<Record<OrderStatus, readonly OrderStatus[]>> = {
  RECEIVED: ['ALLOCATED', 'PARTIALLY_ALLOCATED', 'RESERVED', 'REJECTED', 'CANCELLED'],
  ALLOCATED: ['ALLOCATED', 'PARTIALLY_ALLOCATED', 'IN_FULFILLMENT', 'READY_FOR_PICKUP', 'SHIPPED', 'REJECTED', 'CANCELLED'],
  PARTIALLY_ALLOCATED: ['PARTIALLY_ALLOCATED', 'ALLOCATED', 'IN_FULFILLMENT', 'READY_FOR_PICKUP', 'SHIPPED', 'REJECTED', 'CANCELLED'],
  RESERVED: ['READY_FOR_PICKUP', 'COLLECTED', 'EXPIRED', 'CANCELLED'],
  IN_FULFILLMENT: ['IN_FULFILLMENT', 'READY_FOR_PICKUP', 'SHIPPED', 'REJECTED', 'CANCELLED'],
  READY_FOR_PICKUP: ['COLLECTED', 'EXPIRED', 'CANCELLED'],
  SHIPPED: ['SHIPPED', 'DELIVERED'],
  DELIVERED: ['PARTIALLY_RETURNED', 'RETURNED'],
  COLLECTED: ['PARTIALLY_RETURNED', 'RETURNED'],
  PARTIALLY_RETURNED: ['PARTIALLY_RETURNED', 'RETURNED'],
  NEEDS_ATTENTION: ['CANCELLED'],
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

/** Fulfillment statuses after which goods have left their location or reached the customer. */
const GONE: readonly FulfillmentStatus[] = ['SHIPPED', 'DELIVERED', 'IN_TRANSIT', 'RECEIVED', 'COLLECTED'];

/** A transfer's statuses once its goods left their origin: they travel to the pickup store, or are there. */
const TO_THE_STORE: readonly FulfillmentStatus[] = ['IN_TRANSIT', 'RECEIVED'];

/** Whether a fulfillment in `status` has let the goods go: its stock is consumed, whatever the order wants. */
export const goodsLeft = (status?: FulfillmentStatus): boolean => !!status && GONE.includes(status);

/** Statuses in which an order may still be edited (as long as no part is picked); RECEIVED is still being routed. */
const EDITABLE: readonly OrderStatus[] = ['ALLOCATED', 'PARTIALLY_ALLOCATED', 'RESERVED'];

/** Finished orders: late answers change nothing on them but the bookkeeping of their reservations. */
const SETTLED: readonly OrderStatus[] = ['REJECTED', 'CANCELLED', 'EXPIRED', 'NEEDS_ATTENTION'];

/** Statuses in which an order wants none of its stock any more. */
const GIVEN_UP_ON: readonly OrderStatus[] = ['REJECTED', 'CANCELLED', 'EXPIRED'];

/** Orders whose backordered units are still to be served when stock arrives. */
export const WAITING_FOR_STOCK: readonly OrderStatus[] = ['PARTIALLY_ALLOCATED', 'ALLOCATED', 'IN_FULFILLMENT'];

/**
 * Where a reservation stands, as far as the order knows. CANCELLING: the part is called
 * off, its stock held until fulfillment confirms (then released) or reports the goods
 * gone (then committed).
 */
export type ReservationState = 'RESERVING' | 'HELD' | 'CANCELLING' | 'REFUSED' | 'RELEASING' | 'RELEASED' | 'COMMITTED' | 'EXPIRED';

/** Allocations in these states no longer serve the order (they were refused, called off or given back). */
const DEAD: readonly ReservationState[] = ['REFUSED', 'CANCELLING', 'RELEASING', 'RELEASED', 'EXPIRED'];

/** An allocation as the order remembers it: the stock held for it and the fulfillment doing the work. */
export interface OrderAllocation extends Allocation {
  reservationId: string;
  state: ReservationState;
  fulfillmentId?: string;
  /** The last status fulfillment announced for it. */
  fulfillmentStatus?: FulfillmentStatus;
  /** When inventory's answer to the pending command is overdue (ISO), and how often the command was sent. */
  deadline?: string;
  attempts?: number;
  /** A stock shortage named it before inventory's StockReserved came (another partition): applied once it is held. */
  shortage?: string;
  /** The SKU a count left its location short of: the part is routed again, that SKU elsewhere, once its stock is given back. */
  countedShort?: string;
  /** Asked for by a backorder retry: refused, its units go back to the backorder rather than using a re-route. */
  backorderRetry?: boolean;
  /** Called off by an edit: once fulfillment confirms (and the stock is released), these lines are routed. */
  rerouteOnRelease?: AllocationLine[];
  /** Refused, expired or given up while a person looked at the order (why): acted on once the order is resumed. */
  rerouteOnResume?: string;
  /** Times a person sent its command again (attention.ts): each round's messages get ids of their own. */
  round?: number;
  /** Held at the pickup store while units are backordered: its work starts with the counter, once none is. */
  awaitsCounter?: boolean;
  /** Another store part held before the counter opened: the counter gathers its units but names the first part's reservation only. */
  ridesOnCounter?: boolean;
}

/** Why routing was asked: what a shortfall means differs (REJECTED, backorder or reject by policy, stays backordered). */
export type RoutingPurpose = 'route' | 'reroute' | 'backorder';

/** A shortfall decided on the orchestrator's view, waiting for inventory's own figures before it is acted on. */
export interface AvailabilityCheck {
  requestId: string;
  lines: AllocationLine[];
  /** Why the lines were routed (a re-route's reason), for the routing record and the shortfall. */
  why: string;
  purpose: Exclude<RoutingPurpose, 'backorder'>;
  /** Absent once the check is given up (no answer after every attempt): a person may send it again. */
  deadline?: string;
  attempts?: number;
  round?: number;
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
  /** Routing decisions taken so far; the decisions themselves are kept apart (OrderRoutingRecord), never loaded with the order. */
  @Property({ type: 'integer' }) routingDecisions = 0;
  /** Re-routes so far (refusals, shortages, timeouts): bounded before the rest is backordered or rejected. */
  @Property({ type: 'integer' }) reroutes = 0;
  /** Locations that refused, ran short or timed out for this order: not asked again. */
  @Property({ type: 'json' }) excluded: string[] = [];
  /** NOT_AVAILABLE_IN_STORE: the nearest stores that could serve the e-reservation. */
  @Property({ type: 'json', nullable: true }) alternatives?: { locationId: string; distanceKm: number }[];
  /** Shortfalls waiting for inventory's figures (CheckAvailability): nothing is backordered or rejected before. */
  @Property({ type: 'json' }) availabilityChecks: AvailabilityCheck[] = [];
  /** Checks asked so far: numbers the next one, so a late answer to an old check is never taken for a new one. */
  @Property({ type: 'integer' }) checksAsked = 0;
  /** The fulfillment at the pickup store's counter (click & collect, e-reservation). */
  @Property({ type: 'string', columnType: 'text', nullable: true }) counterFulfillmentId?: string;
  /** What fulfillment last reported of that counter: one serving transfers only has no part of the order to keep it on. */
  @Property({ type: 'string', columnType: 'text', nullable: true }) counterStatus?: FulfillmentStatus | null;
  /** The earliest deadline among the steps waiting for an answer; the saga's sweep looks here. */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true }) nextDeadline?: Date | null;
  /** Units returned per SKU, from refunds. */
  @Property({ type: 'json' }) returned: Record<string, number> = {};
  /** Of those, units put back in stock (inspected RESELLABLE): the restock rate of the KPIs. */
  @Property({ type: 'json' }) restocked: Record<string, number> = {};
  /** Refunds already counted: the same refund may arrive again under a new message id. */
  @Property({ type: 'json' }) refundIds: string[] = [];
  /** The edits applied (their editIds): the same edit again changes nothing. */
  @Property({ type: 'json' }) edits: string[] = [];
  /** What each edit asked (a SHA-256 of it), by editId: the same editId for another edit is refused. */
  @Property({ type: 'json' }) editDigests: Record<string, string> = {};
  /** Validation errors of a rejected submission. */
  @Property({ type: 'json' }) errors: string[] = [];
  /** sha256 of the submitted value: the same orderId with other content is a conflict, not a duplicate. */
  @Property({ type: 'string', columnType: 'text' }) contentHash: string;
  /** The order journey's trace, continued by later HTTP steps. */
  @Property({ type: 'string', columnType: 'text', nullable: true }) traceparent?: string;
  /** The status the order had when it went to NEEDS_ATTENTION: where a person's retry or release returns it. */
  @Property({ type: 'string', columnType: 'text', nullable: true }) attentionFrom?: OrderStatus | null;
  /** In NEEDS_ATTENTION only because steps went unanswered: a late answer to one of them lets the saga take the order back itself (attention.ts). */
  @Property({ type: 'boolean' }) attentionOnSilence = false;
  /** Steps taken so far: the next step's number, and the ce_id of its event. */
  @Property({ type: 'integer' }) steps = 0;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt: Date;
  @Property({ type: 'Date', columnType: 'timestamptz' }) updatedAt: Date;
  // No optimistic version: every change is made under the row lock (order-lock.ts), and checking
  // versions cost each batch's flush one more query over all its orders. The column keeps its default.

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

  /** A routing decision joins the order's history, numbered from 0; the caller persists it. */
  routed(record: RoutingRecord): OrderRoutingRecord {
    return new OrderRoutingRecord(this.orderId, (this.routingDecisions += 1) - 1, record);
  }

  /** Whether the lifecycle allows moving to `to` from here. */
  canMoveTo(to: OrderStatus): boolean {
    return !!LIFECYCLE[this.status]?.includes(to) || (to === ATTENTION && this.status !== ATTENTION);
  }

  /** A step that keeps the status: something the order's followers must learn happened (goods reached the customer, came back). */
  restate(cause: string, now = new Date()): OrderStep {
    return this.step(this.status, this.status, cause, now);
  }

  /** Moves along the lifecycle, or throws OrderTransitionRefused. */
  transition(to: OrderStatus, cause: string, now = new Date()): OrderStep {
    if (!this.canMoveTo(to)) {
      throw new OrderTransitionRefused(`order ${this.orderId} cannot go from ${this.status} to ${to}`);
    }
    const from = this.status;
    this.status = to;
    this.attentionFrom = to === ATTENTION ? from : null;
    this.attentionOnSilence = false;
    return this.step(from, to, cause, now);
  }

  /**
   * Out of NEEDS_ATTENTION, back to the status it came from, once a person has sent again what
   * it gave up on (or released what it no longer wants): the saga goes on from there.
   */
  resume(cause: string, now = new Date()): OrderStep {
    const back = this.attentionFrom;
    if (this.status !== ATTENTION || !back) throw new OrderTransitionRefused(`order ${this.orderId} is ${this.status}, not ${ATTENTION}: it is not waiting for a person`);
    this.status = back;
    this.attentionFrom = null;
    this.attentionOnSilence = false;
    return this.step(ATTENTION, back, cause, now);
  }

  /**
   * The steps the saga gave up waiting for (their deadline cleared after the last attempt):
   * a reservation, release or call-off, a fulfillment never confirmed, an availability check.
   */
  givenUp(): { parts: OrderAllocation[]; checks: AvailabilityCheck[] } {
    const waiting = (part: OrderAllocation) =>
      ['RESERVING', 'RELEASING', 'CANCELLING'].includes(part.state) || (part.state === 'HELD' && !!part.fulfillmentId && !part.fulfillmentStatus);
    return { parts: this.allocations.filter((part) => !part.deadline && waiting(part)), checks: this.availabilityChecks.filter((check) => !check.deadline) };
  }

  /**
   * Whether the saga gave up waiting for fulfillment to create `fulfillmentId`: its first news is
   * the late answer, even once inventory has moved the part's hold meanwhile (committed by a
   * collect, expired), which takes it out of `givenUp()`.
   */
  gaveUpCreating(fulfillmentId: string): boolean {
    return this.allocations.some((part) => part.fulfillmentId === fulfillmentId && !part.fulfillmentStatus && !part.deadline && ['HELD', 'COMMITTED', 'EXPIRED'].includes(part.state));
  }

  /**
   * Stock held for parts the order no longer wants: called off (CANCELLING), or any hold of an
   * order that went to NEEDS_ATTENTION cancelled, rejected or expired. `gone` ones left with their goods.
   */
  unwantedHolds(): { held: OrderAllocation[]; gone: OrderAllocation[] } {
    const settled = this.status === ATTENTION && !!this.attentionFrom && GIVEN_UP_ON.includes(this.attentionFrom);
    // COMMITTED: inventory has booked the goods that left; named among them all the same.
    const unwanted = this.allocations.filter((part) => part.state === 'CANCELLING' || (settled && ['HELD', 'COMMITTED'].includes(part.state)));
    return { held: unwanted.filter((part) => !goodsLeft(part.fulfillmentStatus)), gone: unwanted.filter((part) => goodsLeft(part.fulfillmentStatus)) };
  }

  /** In NEEDS_ATTENTION from a status that still wants its stock (not cancelled, rejected or expired on the way). */
  waitsForAPerson(): boolean {
    return this.status === ATTENTION && !!this.attentionFrom && !GIVEN_UP_ON.includes(this.attentionFrom);
  }

  /** Cancelled, rejected or expired (needing attention since or not): it wants none of its stock any more. */
  isGivenUp(): boolean {
    return GIVEN_UP_ON.includes(this.status) || (this.status === ATTENTION && !!this.attentionFrom && GIVEN_UP_ON.includes(this.attentionFrom));
  }

  /** Finished: late answers change nothing on it but the bookkeeping of its reservations. */
  isSettled(): boolean {
    return SETTLED.includes(this.status);
  }

  /** Something is still asked of inventory: a reservation not answered, or a shortfall not confirmed. */
  awaitsInventory(): boolean {
    return this.availabilityChecks.length > 0 || this.allocations.some((allocation) => allocation.state === 'RESERVING');
  }

  /** Backordered units that stock arriving may still serve. */
  waitsForStock(): boolean {
    return this.backordered.length > 0 && WAITING_FOR_STOCK.includes(this.status);
  }

  /** Parcels of the order that have not left yet. */
  parcelsToShip(): OrderAllocation[] {
    return this.live().filter((allocation) => allocation.kind === 'SHIP' && !['SHIPPED', 'DELIVERED'].includes(allocation.fulfillmentStatus ?? ''));
  }

  /** The parts a fulfillment works for (at the counter, the pickup store's own part). */
  partsOf(fulfillmentId: string): OrderAllocation[] {
    return this.allocations.filter((allocation) => allocation.fulfillmentId === fulfillmentId);
  }

  /** Records a shortfall to confirm with inventory, numbered `<orderId>:A<n>`. */
  addCheck(check: Omit<AvailabilityCheck, 'requestId'>): AvailabilityCheck {
    this.checksAsked += 1;
    const requestId = `${this.orderId}:A${this.checksAsked}`;
    this.availabilityChecks = [...this.availabilityChecks, { requestId, ...check }];
    this.nextDeadline = this.earliestDeadline();
    return this.availabilityChecks.at(-1)!;
  }

  updateCheck(requestId: string, change: Partial<AvailabilityCheck>): void {
    this.availabilityChecks = this.availabilityChecks.map((check) => (check.requestId === requestId ? { ...check, ...change } : check));
    this.nextDeadline = this.earliestDeadline();
  }

  /** The check `requestId` answered (or given up): no longer pending; undefined when it was not. */
  takeCheck(requestId: string): AvailabilityCheck | undefined {
    const check = this.availabilityChecks.find((candidate) => candidate.requestId === requestId);
    this.availabilityChecks = this.availabilityChecks.filter((candidate) => candidate !== check);
    this.nextDeadline = this.earliestDeadline();
    return check;
  }

  /**
   * Whether a cancellation would be accepted now, and if not, why. An order cancelled before it
   * needed attention was accepted then: cancelling it again closes it, whatever left since.
   */
  whyNotCancellable(): string | undefined {
    if (this.status === ATTENTION && this.attentionFrom === 'CANCELLED') return undefined;
    // A transfer on its way to or at the pickup store leaves nothing to the customer: called off, its units go into the store's stock there.
    const backInStore = (allocation: OrderAllocation) => allocation.kind === 'TRANSFER' && TO_THE_STORE.includes(allocation.fulfillmentStatus!);
    const gone = this.allocations.find((allocation) => goodsLeft(allocation.fulfillmentStatus) && !backInStore(allocation));
    const why = NOT_CANCELLABLE[this.status] ?? (gone && `a part has already ${gone.fulfillmentStatus === 'COLLECTED' ? 'been collected' : 'shipped'} (${gone.fulfillmentId} from ${gone.locationId})`);
    return why && `order ${this.orderId} cannot be cancelled: ${why} (status ${this.status})`;
  }

  /** Allocations that still serve the order. */
  live(): OrderAllocation[] {
    return this.allocations.filter((allocation) => !DEAD.includes(allocation.state));
  }

  /** Live allocations as clients read them: a store part riding on the counter shows the counter's work. */
  shownAllocations(): OrderAllocation[] {
    return this.live().map((part) => (part.ridesOnCounter ? { ...part, fulfillmentId: this.counterFulfillmentId, fulfillmentStatus: this.counterStatus ?? undefined } : part));
  }

  /** Replaces one allocation by its updated copy (allocations are stored as JSON: a new array marks the change). */
  updateAllocation(reservationId: string, change: Partial<OrderAllocation>): OrderAllocation | undefined {
    const current = this.allocations.find((allocation) => allocation.reservationId === reservationId);
    if (!current) return undefined;
    const updated = { ...current, ...change };
    this.allocations = this.allocations.map((allocation) => (allocation === current ? updated : allocation));
    this.nextDeadline = this.earliestDeadline();
    return updated;
  }

  addAllocations(allocations: OrderAllocation[]): void {
    this.allocations = [...this.allocations, ...allocations];
    this.nextDeadline = this.earliestDeadline();
  }

  private earliestDeadline(): Date | null {
    const deadlines = [...this.allocations, ...this.availabilityChecks].filter((a) => a.deadline).map((a) => Date.parse(a.deadline!));
    return deadlines.length ? new Date(Math.min(...deadlines)) : null;
  }

  /** Whether an edit would be accepted now, and if not, why: only before any part is picked. */
  whyNotEditable(): string | undefined {
    const started = this.live().find((allocation) => allocation.fulfillmentStatus && allocation.fulfillmentStatus !== 'CREATED');
    const why = !EDITABLE.includes(this.status)
      ? `it is ${this.status}`
      : started && `${started.fulfillmentId} at ${started.locationId} is already ${started.fulfillmentStatus!.toLowerCase().replace(/_/g, ' ')}`;
    return why && `order ${this.orderId} cannot be edited: ${why}`;
  }

  /** The fulfillment id of the pickup store's counter: a new one after each edit, the old one being called off. */
  nextCounterId(): string {
    return `${this.orderId}-C${this.edits.length ? `-E${this.edits.length}` : ''}`;
  }

  /** An edit is a step of the timeline that does not move the status. */
  edited(editId: string, digest: string, cause: string, now = new Date()): OrderStep {
    this.edits = [...this.edits, editId];
    this.editDigests = { ...this.editDigests, [editId]: digest };
    return this.step(this.status, this.status, cause, now);
  }

  /** Accepted until a part has shipped or been collected; the caller then undoes what the saga did. */
  cancel(reason: string, now = new Date()): OrderStep {
    const why = this.whyNotCancellable();
    if (why) throw new OrderTransitionRefused(why);
    return this.transition('CANCELLED', reason, now);
  }

  /** Counts units put back in stock. */
  addRestocked(lines: AllocationLine[]): void {
    this.restocked = plusUnits(this.restocked, lines);
  }

  /** Whether any unit has come back (refunded) yet. */
  hasReturns(): boolean {
    return Object.values(this.returned).some((units) => units > 0);
  }

  /** Counts returned units; true when every ordered unit has come back. */
  addReturned(lines: AllocationLine[]): boolean {
    this.returned = plusUnits(this.returned, lines);
    return this.allReturned();
  }

  allReturned(): boolean {
    return [...orderedBySku(this.lines)].every(([sku, ordered]) => (this.returned[sku] ?? 0) >= ordered);
  }

  /** The value of the event announcing `step` on `fil.orders.events.v1`: the whole current state. */
  toEvent(step: OrderStep): OrderEvent {
    // A refusal's reason is its code alone, as PRODUCT.md names it (`NOT_AVAILABLE_IN_STORE`); the words go in `detail`.
    const code = step.to === 'REJECTED' ? /^[A-Z][A-Z_]+(?=$|[:;( ])/.exec(step.cause)?.[0] : undefined;
    return {
      orderId: this.orderId,
      status: this.status,
      previousStatus: step.from ?? undefined,
      reason: code ?? step.cause,
      detail: code && code !== step.cause ? step.cause : undefined,
      errors: this.errors.length ? this.errors : undefined,
      channel: this.channel ?? undefined,
      deliveryMode: this.deliveryMode ?? undefined,
      customerId: this.customerId ?? undefined,
      currency: this.currency ?? undefined,
      lines: this.lines,
      allocations: this.shownAllocations().map(({ locationId, kind, lines, reservationId, fulfillmentId, fulfillmentStatus }) => ({ locationId, kind, lines, reservationId, fulfillmentId, fulfillmentStatus })),
      backordered: this.backordered.length ? this.backordered : undefined,
      alternatives: this.alternatives ?? undefined,
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

/** A new units-per-SKU record with `lines` added: the entity's json fields are replaced, never changed in place. */
function plusUnits(units: Record<string, number>, lines: AllocationLine[]): Record<string, number> {
  const sum = { ...units };
  for (const { sku, quantity } of lines) sum[sku] = (sum[sku] ?? 0) + quantity;
  return sum;
}
