import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { InventoryEventTypes, type AllocationLine, type ReservationOutcome, type ShortLine } from '@fil/contracts';

/**
 * REFUSED is kept too, so that a repeated ReserveStock gets the same answer
 * instead of grabbing stock that arrived after the orchestrator moved on.
 */
export type ReservationStatus = 'HELD' | 'REFUSED' | 'RELEASED' | 'COMMITTED' | 'EXPIRED';

export type RefusalReason = 'INSUFFICIENT_STOCK' | 'UNKNOWN_LOCATION';

export interface ReservationRequest {
  reservationId: string;
  orderId: string;
  locationId: string;
  lines: AllocationLine[];
}

/** When a hold asked for ends: the deadline the command names, else its time to live from now; null holds until released or committed. */
export function holdDeadline({ expiresAt, ttlSeconds }: { expiresAt?: string; ttlSeconds?: number }, now = Date.now()): Date | null {
  if (expiresAt) return new Date(expiresAt);
  return ttlSeconds ? new Date(now + ttlSeconds * 1000) : null;
}

/** The suffix of the adjustment that takes again units collected after their reservation expired: the reservation, committed, already counts them out. */
export const COLLECTED_AFTER_EXPIRY = 'collected-after-expiry';

/** Stock held at one location for (part of) an order, all lines or none. */
@Entity({ tableName: 'reservation' })
export class Reservation {
  /** The reservationId chosen by the orchestrator: the idempotency key of ReserveStock. */
  @PrimaryKey({ type: 'string' }) id: string;
  @Property({ type: 'string' }) orderId: string;
  @Property({ type: 'string' }) locationId: string;
  @Property({ type: 'json' }) lines: AllocationLine[];
  @Property({ type: 'string' }) status: ReservationStatus;
  @Property({ type: 'string', nullable: true }) reason: RefusalReason | null = null;
  @Property({ type: 'json', nullable: true }) shortLines: ShortLine[] | null = null;
  /** Stored, not a timer: whichever instance runs the expiry sweep after a restart still sees it. */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true }) expiresAt: Date | null = null;
  /** The trace of the command that made it: its expiry, a sweep's work, continues the order's journey. */
  @Property({ type: 'string', columnType: 'text', nullable: true }) traceparent: string | null = null;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt: Date = new Date();
  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() }) updatedAt: Date = new Date();

  private constructor(request: ReservationRequest, status: ReservationStatus) {
    this.id = request.reservationId;
    this.orderId = request.orderId;
    this.locationId = request.locationId;
    this.lines = request.lines.map(({ sku, quantity }) => ({ sku, quantity }));
    this.status = status;
  }

  static held(request: ReservationRequest, expiresAt: Date | null = null, traceparent?: string): Reservation {
    const reservation = new Reservation(request, 'HELD');
    reservation.expiresAt = expiresAt;
    reservation.traceparent = traceparent ?? null;
    return reservation;
  }

  /**
   * Returns whether the held units must go back to ATP: a HELD reservation expires once its
   * grace has passed since its deadline, so that a commit already on its way wins.
   */
  expire(now: Date, graceMs: number): boolean {
    if (this.status !== 'HELD' || this.expiresAt === null || this.expiresAt.getTime() + this.graceOf(graceMs) > now.getTime()) return false;
    this.status = 'EXPIRED';
    return true;
  }

  /** `graceMs`, but never more than a tenth of the hold: a hold of seconds (a test's TTL) is not kept for minutes. Also in ExpiryService.due. */
  private graceOf(graceMs: number): number {
    return Math.min(graceMs, Math.max(0, this.expiresAt!.getTime() - this.createdAt.getTime()) / 10);
  }

  static refused(request: ReservationRequest, reason: RefusalReason, shortLines: ShortLine[]): Reservation {
    const reservation = new Reservation(request, 'REFUSED');
    reservation.reason = reason;
    reservation.shortLines = shortLines;
    return reservation;
  }

  /** Returns whether the held units must go back to ATP; anything but HELD has nothing to give back. */
  release(): boolean {
    if (this.status !== 'HELD') return false;
    this.status = 'RELEASED';
    return true;
  }

  /**
   * The goods left: shipped, or handed over at the counter, which fulfillment refuses from
   * the deadline on. A commit is a fact, so it wins over an expiry: held units are consumed,
   * and units an expiry already gave back have to be taken out of on-hand again.
   */
  commit(): 'CONSUME' | 'TAKE_AGAIN' | undefined {
    if (this.status !== 'HELD' && this.status !== 'EXPIRED') return undefined;
    const effect = this.status === 'HELD' ? 'CONSUME' : 'TAKE_AGAIN';
    this.status = 'COMMITTED';
    return effect;
  }

  /** Takes up to `quantity` units of `sku` out of the reservation (a short pick); returns how many it held. */
  removeUnits(sku: string, quantity: number): number {
    let left = quantity;
    const lines: AllocationLine[] = [];
    for (const line of this.lines) {
      const taken = line.sku === sku ? Math.min(left, line.quantity) : 0;
      left -= taken;
      if (line.quantity - taken > 0) lines.push({ sku: line.sku, quantity: line.quantity - taken });
    }
    this.lines = lines;
    return quantity - left;
  }

  /** Quantities per SKU, sorted by SKU so that every transaction locks stock rows in the same order. */
  quantitiesBySku(): [sku: string, quantity: number][] {
    return quantitiesBySku(this.lines);
  }

  /** The answer to any command about this reservation: its current state, as a named event. */
  outcome(): { type: string; data: ReservationOutcome } {
    // Keys in the order of the first answer: lines read back from jsonb come in its own key order, and a repeat must be the same bytes.
    const lines = this.lines.map(({ sku, quantity }) => ({ sku, quantity }));
    const data: ReservationOutcome = { reservationId: this.id, orderId: this.orderId, locationId: this.locationId, lines };
    switch (this.status) {
      case 'HELD':
        return { type: InventoryEventTypes.reserved, data };
      case 'RELEASED':
        return { type: InventoryEventTypes.released, data };
      case 'COMMITTED':
        return { type: InventoryEventTypes.committed, data };
      case 'EXPIRED':
        return { type: InventoryEventTypes.expired, data };
      case 'REFUSED':
        return { type: InventoryEventTypes.refused, data: { ...data, reason: this.reason ?? undefined, shortLines: (this.shortLines ?? []).map(({ sku, requested, atp }) => ({ sku, requested, atp })) } };
    }
  }
}

export function quantitiesBySku(lines: AllocationLine[]): [string, number][] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of lines) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
