import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { Refund, ReturnStatus } from '@fil/contracts';
import { ReturnConflict, ReturnRefused, type RefusalReason } from './return.errors';
import type { InspectedLine } from './refund';

export type { ReturnStatus };

export interface ReturnLine {
  sku: string;
  quantity: number;
  reason?: string;
}

/** A customer's return: requested, then received and inspected at one location, then refunded once. */
@Entity({ tableName: 'customer_return' })
export class Return {
  @PrimaryKey({ type: 'string' }) id: string;
  @Property({ type: 'string' }) orderId: string;
  @Property({ type: 'string' }) status: ReturnStatus = 'REQUESTED';
  @Property({ type: 'json' }) lines: ReturnLine[];
  /** Where the customer said they will bring it: its staff see it in their list to receive. */
  @Property({ type: 'string', nullable: true }) expectedLocationId?: string;
  @Property({ type: 'string', nullable: true }) rejectionReason?: RefusalReason | null;
  @Property({ type: 'string', nullable: true }) rejectionMessage?: string | null;
  @Property({ type: 'json', nullable: true }) inspection?: InspectedLine[];
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true }) receivedAt?: Date;
  @Property({ type: 'string', nullable: true }) receivedLocationId?: string;
  @Property({ type: 'json', nullable: true }) refund?: Refund;
  /** The trace of the order's journey, continued by the staff steps on this return. */
  @Property({ type: 'string', columnType: 'text', nullable: true }) traceparent?: string;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt: Date;
  @Property({ type: 'integer', version: true }) version: number;

  constructor(id: string, orderId: string, lines: ReturnLine[], traceparent: string | undefined, now: Date, expectedLocationId?: string) {
    this.id = id;
    this.orderId = orderId;
    this.expectedLocationId = expectedLocationId;
    this.lines = lines.map(({ sku, quantity, reason }) => (reason === undefined ? { sku, quantity } : { sku, quantity, reason }));
    this.traceparent = traceparent;
    this.createdAt = now;
  }

  /** A request that a rule refused, kept so that a Kafka sender can see why (there is no reply topic). */
  reject(refusal: ReturnRefused): void {
    if (this.status !== 'REQUESTED') throw new ReturnConflict(`return ${this.id} is ${this.status}; it cannot be rejected`);
    this.status = 'REJECTED';
    this.rejectionReason = refusal.reason;
    this.rejectionMessage = refusal.message;
  }

  /** Checked again and refused again: the reason of now, which may be for good. */
  refusedAgain(refusal: ReturnRefused): void {
    if (!this.refusedForNow()) throw new ReturnConflict(`return ${this.id} is ${this.status}; it was not waiting to be checked again`);
    this.rejectionReason = refusal.reason;
    this.rejectionMessage = refusal.message;
  }

  /** Refused because returns had not seen its order, or the order delivered, yet: its view may have caught up since. */
  refusedForNow(): boolean {
    return this.status === 'REJECTED' && (this.rejectionReason === 'UNKNOWN_ORDER' || this.rejectionReason === 'ORDER_NOT_DELIVERED');
  }

  /** Asked again once its order's view caught up, and acceptable now: a request like any new one, in the order's trace from now on. */
  reopen(traceparent: string | undefined): void {
    if (!this.refusedForNow()) throw new ReturnConflict(`return ${this.id} is ${this.status}; it cannot be asked again`);
    this.traceparent = traceparent ?? this.traceparent;
    this.status = 'REQUESTED';
    this.rejectionReason = null;
    this.rejectionMessage = null;
  }

  /** Quantity per SKU this return claims: what it asks for until received, then what came back; nothing once rejected. */
  claimedQuantities(): Map<string, number> {
    if (this.status === 'REJECTED') return new Map();
    return this.inspection ? sumBySku(this.inspection.filter((line) => line.condition !== 'NOT_RETURNED')) : sumBySku(this.lines);
  }

  isSameRequest(orderId: string, lines: ReturnLine[], expectedLocationId?: string): boolean {
    return this.orderId === orderId && (this.expectedLocationId ?? undefined) === expectedLocationId && canonical(this.lines, ['sku', 'quantity', 'reason']) === canonical(lines, ['sku', 'quantity', 'reason']);
  }

  isSameReceipt(locationId: string, inspection: InspectedLine[]): boolean {
    return (
      this.receivedLocationId === locationId &&
      canonical(this.inspection ?? [], ['sku', 'quantity', 'condition']) === canonical(inspection, ['sku', 'quantity', 'condition'])
    );
  }

  /** Records the receipt and inspection; each SKU may come back at most as many times as requested. */
  receive(locationId: string, inspection: InspectedLine[], now: Date): void {
    if (this.status !== 'REQUESTED') {
      throw new ReturnConflict(`return ${this.id} is ${this.status}; it was already received or cannot be received`);
    }
    const requested = sumBySku(this.lines);
    for (const [sku, quantity] of sumBySku(inspection)) {
      const expected = requested.get(sku);
      if (expected === undefined) throw new ReturnRefused('SKU_NOT_ON_RETURN', `sku ${sku} is not on return ${this.id}`);
      if (quantity > expected) {
        throw new ReturnRefused('QUANTITY_EXCEEDED', `sku ${sku}: ${quantity} received but only ${expected} requested`);
      }
    }
    this.inspection = inspection.map(({ sku, quantity, condition }) => ({ sku, quantity, condition }));
    this.receivedLocationId = locationId;
    this.receivedAt = now;
    this.status = 'RECEIVED';
  }

  /** Resellable units per SKU, to put back in stock at the receiving location. */
  resellable(): Map<string, number> {
    return sumBySku((this.inspection ?? []).filter((line) => line.condition === 'RESELLABLE'));
  }

  markRefunded(refund: Refund): void {
    if (this.status !== 'RECEIVED') throw new ReturnConflict(`return ${this.id} is ${this.status}; only a received return is refunded`);
    this.refund = refund;
    this.status = 'REFUNDED';
  }
}

export function sumBySku(lines: { sku: string; quantity: number }[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const { sku, quantity } of lines) sums.set(sku, (sums.get(sku) ?? 0) + quantity);
  return sums;
}

/** Order-insensitive comparison key for line lists. */
function canonical<T extends object>(lines: T[], keys: (keyof T)[]): string {
  return JSON.stringify(lines.map((line) => JSON.stringify(keys.map((key) => line[key] ?? null))).sort());
}
