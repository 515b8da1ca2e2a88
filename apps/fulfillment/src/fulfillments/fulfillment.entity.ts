import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { SHORT_PICK_REASONS, type ShortPickReason } from '@fil/contracts';
import type {
  AllocationKind,
  AllocationLine,
  CreateFulfillment,
  FulfillmentEvent,
  FulfillmentLineView,
  FulfillmentStatus,
} from '@fil/contracts';
import { notReadyBecause } from './counter-goods';

export interface Parcel {
  weightKg: number;
}

export interface HistoryEntry {
  status: FulfillmentStatus;
  at: string;
  by?: string;
  detail?: string;
}

/** What staff report for one SKU at pick time: the quantity found, and why when short. */
export interface PickedLine {
  sku: string;
  quantity: number;
  reason?: string;
}

/** A step that the fulfillment's current state does not allow: answered with 409. */
export class FulfillmentStepRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FulfillmentStepRefused';
  }
}

/** A step whose data can never fit this fulfillment (an SKU it does not hold...): answered with 400. */
export class InvalidFulfillmentStep extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFulfillmentStep';
  }
}

/** Nothing has left the location yet, so the order may still take the work back. */
const CANCELLABLE: readonly FulfillmentStatus[] = ['CREATED', 'PICKED', 'PACKED', 'READY_FOR_PICKUP'];

/**
 * The work one location does for one allocation of an order. A SHIP fulfillment
 * goes CREATED → PICKED → PACKED → SHIPPED → DELIVERED; a TRANSFER is picked,
 * packed and shipped to the pickup store (IN_TRANSIT), where it is RECEIVED; a
 * PICKUP at the store's counter goes (PICKED →) READY_FOR_PICKUP → COLLECTED. Each step returns false
 * when the fulfillment is already where that step would take it with the same
 * data, so a repeated request changes nothing and announces nothing.
 */
@Entity({ tableName: 'fulfillment' })
export class Fulfillment {
  @PrimaryKey({ type: 'string', columnType: 'text' }) id: string;
  @Property({ type: 'string', columnType: 'text' }) orderId: string;
  @Property({ type: 'string', columnType: 'text' }) locationId: string;
  @Property({ type: 'string', columnType: 'text' }) kind: AllocationKind;
  @Property({ type: 'string', columnType: 'text', nullable: true }) reservationId?: string;
  @Property({ type: 'string', columnType: 'text' }) status: FulfillmentStatus;
  @Property({ type: 'json' }) lines: FulfillmentLineView[];
  @Property({ type: 'json' }) parcels: Parcel[];
  /** What the pick found missing, and why: reported to inventory once. */
  @Property({ type: 'json' }) shortLines: { sku: string; missing: number; reason: ShortPickReason }[] = [];
  /** PICKUP: the store's own units, as the order named them (none for a counter serving transfers only). */
  @Property({ type: 'json', nullable: true }) ownLines?: { sku: string; quantity: number }[];
  /** PICKUP: units its pick found missing of those received transfers had brought, by transfer: never counted back into the store's stock. */
  @Property({ type: 'json' }) lostFromTransfers: { transferId: string; sku: string; missing: number }[] = [];
  /** Called off with its order given up: what the PICKUP's transfers brought or bring, or this TRANSFER once received, is counted into the store's stock. */
  @Property({ type: 'boolean', default: false }) transfersBackInStock = false;
  /** TRANSFER: the pickup store the goods travel to. */
  @Property({ type: 'string', columnType: 'text', nullable: true }) destinationLocationId?: string;
  /** E-reservation: after this, the goods can no longer be collected. */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true }) expiresAt?: Date;
  @Property({ type: 'string', columnType: 'text', nullable: true }) carrier?: string;
  @Property({ type: 'string', columnType: 'text', nullable: true }) trackingNumber?: string;
  @Property({ type: 'json' }) history: HistoryEntry[];
  /** The order journey's trace, continued by every staff step. */
  @Property({ type: 'string', columnType: 'text', nullable: true }) traceparent?: string;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt: Date;
  @Property({ type: 'Date', columnType: 'timestamptz' }) updatedAt: Date;
  @Property({ type: 'integer', version: true }) version: number;

  constructor(command: CreateFulfillment, traceparent?: string, now = new Date()) {
    this.id = command.fulfillmentId;
    this.orderId = command.orderId;
    this.locationId = command.locationId;
    this.kind = command.kind;
    this.reservationId = command.reservationId;
    this.destinationLocationId = command.destinationLocationId;
    this.ownLines = command.ownLines && mergeBySku(command.ownLines);
    this.expiresAt = command.expiresAt ? new Date(command.expiresAt) : undefined;
    this.lines = mergeBySku(command.lines).map((line) => ({ ...line, picked: 0 }));
    this.traceparent = traceparent;
    this.createdAt = now;
    this.status = 'CREATED';
    this.history = [];
    this.parcels = [];
    this.version = 1;
    this.record('CREATED', now);
  }

  /**
   * Staff report what they found. A line found short needs a reason (such as NOT_FOUND
   * or DAMAGED): the missing units are then reported to inventory and re-routed by the
   * order; the fulfillment goes on with what was found.
   */
  pick(lines: PickedLine[], now = new Date()): boolean {
    const found = this.foundQuantities(lines);
    if (this.done('PICKED') && this.lines.every((line) => found.get(line.sku) === line.picked)) return false;
    this.expect('pick', ['CREATED']);
    const short = this.lines.filter((line) => found.get(line.sku)! < line.quantity);
    const unexplained = short.filter((line) => !lines.find((picked) => picked.sku === line.sku)?.reason);
    if (unexplained.length) {
      throw new InvalidFulfillmentStep(
        `cannot pick fulfillment ${this.id}: ${unexplained.map((line) => `${line.sku} (${found.get(line.sku)} of ${line.quantity})`).join(', ')} short without a reason (such as ${SHORT_PICK_REASONS.join(' or ')})`,
      );
    }
    this.lines = this.lines.map((line) => ({ ...line, picked: found.get(line.sku)! }));
    this.shortLines = short.map((line) => ({
      sku: line.sku,
      missing: line.quantity - found.get(line.sku)!,
      reason: lines.find((picked) => picked.sku === line.sku)!.reason as ShortPickReason,
    }));
    const detail = this.shortLines.map((line) => `${line.sku} ${line.missing} missing (${line.reason})`).join(', ');
    this.moveTo('PICKED', now, detail || undefined);
    return true;
  }

  pack(parcels: Parcel[], now = new Date()): boolean {
    if (this.kind === 'PICKUP') {
      throw new FulfillmentStepRefused(`cannot pack fulfillment ${this.id}: a PICKUP fulfillment is handed over at the counter, not packed`);
    }
    if (!parcels.length) throw new InvalidFulfillmentStep(`cannot pack fulfillment ${this.id}: at least one parcel is needed`);
    const bad = parcels.find((parcel) => !(Number.isFinite(parcel.weightKg) && parcel.weightKg > 0));
    if (bad) throw new InvalidFulfillmentStep(`cannot pack fulfillment ${this.id}: a parcel's weightKg must be above 0`);
    const wanted = parcels.map((parcel) => ({ weightKg: parcel.weightKg }));
    if (this.done('PACKED') && sameJson(this.parcels, wanted)) return false;
    this.expect('pack', ['PICKED']);
    // Nothing found, nothing to send: the order routes the units elsewhere and calls this work off.
    if (this.lines.every((line) => line.picked === 0)) throw new FulfillmentStepRefused(`cannot pack fulfillment ${this.id}: nothing was picked, there is nothing to send`);
    this.parcels = wanted;
    this.moveTo('PACKED', now, `${wanted.length} parcel(s)`);
    return true;
  }

  /** A SHIP fulfillment leaves for the customer; a TRANSFER leaves for the pickup store. */
  ship(carrier: string, trackingNumber: string, now = new Date()): boolean {
    if (this.kind === 'PICKUP') {
      throw new FulfillmentStepRefused(`cannot ship fulfillment ${this.id}: a PICKUP fulfillment is collected at the store, not shipped`);
    }
    const shipped: FulfillmentStatus = this.kind === 'TRANSFER' ? 'IN_TRANSIT' : 'SHIPPED';
    if (this.done(shipped) && this.carrier === carrier && this.trackingNumber === trackingNumber) return false;
    this.expect('ship', ['PACKED']);
    this.carrier = carrier;
    this.trackingNumber = trackingNumber;
    this.moveTo(shipped, now, `${carrier} ${trackingNumber}`);
    return true;
  }

  deliver(now = new Date()): boolean {
    if (this.kind !== 'SHIP') {
      throw new FulfillmentStepRefused(`cannot deliver fulfillment ${this.id}: only a SHIP fulfillment is delivered (this one is ${this.kind})`);
    }
    if (this.done('DELIVERED')) return false;
    this.expect('deliver', ['SHIPPED']);
    this.moveTo('DELIVERED', now);
    return true;
  }

  /** A transfer arrived at the pickup store. */
  receive(now = new Date()): boolean {
    if (this.kind !== 'TRANSFER') {
      throw new FulfillmentStepRefused(`cannot receive fulfillment ${this.id}: only a TRANSFER is received (this one is ${this.kind})`);
    }
    if (this.done('RECEIVED')) return false;
    this.expect('receive', ['IN_TRANSIT']);
    this.moveTo('RECEIVED', now, this.destinationLocationId ? `at ${this.destinationLocationId}` : undefined);
    return true;
  }

  /**
   * Everything is at the counter: no transfer to its store on its way (`missingTransfers`), and
   * the transfers received (`transfers`, the order's to this store) brought what its own units
   * and its pick leave to them (counter-goods.ts); else the customer would come for nothing.
   * `asked` is the step staff took: a collect of a counter not marked ready marks it first.
   */
  ready(missingTransfers: string[], transfers: Fulfillment[] = [], now = new Date(), asked: 'mark ready' | 'collect' = 'mark ready'): boolean {
    this.expectCounter(asked);
    if (this.done('READY_FOR_PICKUP')) return false;
    this.expect(asked, ['CREATED', 'PICKED']);
    this.expectNotExpired(asked, now);
    const why = notReadyBecause(this, missingTransfers, transfers);
    if (why) throw new FulfillmentStepRefused(asked === 'collect' ? `cannot collect fulfillment ${this.id}: ${why}` : `cannot mark fulfillment ${this.id} ready: ${why}`);
    this.moveTo('READY_FOR_PICKUP', now);
    return true;
  }

  /** The step into `status` was taken, and the work goes on (or is over): the same step again, a retry whose answer was lost, changes nothing. Called off, it is refused. */
  private done(status: FulfillmentStatus): boolean {
    return this.status !== 'CANCELLED' && this.history.some((entry) => entry.status === status);
  }

  /** The customer took the goods; an e-reservation past its deadline cannot be. */
  collect(now = new Date()): boolean {
    this.expectCounter('collect');
    if (this.done('COLLECTED')) return false;
    this.expect('collect', ['READY_FOR_PICKUP']);
    this.expectNotExpired('collect', now);
    this.moveTo('COLLECTED', now);
    return true;
  }

  /** The order was cancelled: allowed until the goods have left or been handed over. */
  cancel(reason: string, now = new Date()): boolean {
    if (this.status === 'CANCELLED') return false;
    if (!CANCELLABLE.includes(this.status)) {
      throw new FulfillmentStepRefused(
        `cannot cancel fulfillment ${this.id}: it is ${this.status}, and only a fulfillment not yet shipped or collected can be cancelled`,
      );
    }
    this.moveTo('CANCELLED', now, reason);
    return true;
  }

  /** The value announcing the current status on `fil.fulfillment.events.v1`. */
  toEvent(): FulfillmentEvent {
    return {
      fulfillmentId: this.id,
      orderId: this.orderId,
      locationId: this.locationId,
      kind: this.kind,
      status: this.status,
      reservationId: this.reservationId ?? undefined,
      lines: this.lines.map((line) => ({ ...line })),
      carrier: this.carrier ?? undefined,
      trackingNumber: this.trackingNumber ?? undefined,
      destinationLocationId: this.destinationLocationId ?? undefined,
      expiresAt: this.expiresAt?.toISOString(),
      occurredAt: this.updatedAt.toISOString(),
    };
  }

  private foundQuantities(lines: PickedLine[]): Map<string, number> {
    const found = new Map<string, number>();
    for (const { sku, quantity } of lines) {
      const line = this.lines.find((candidate) => candidate.sku === sku);
      if (!line) throw new InvalidFulfillmentStep(`cannot pick fulfillment ${this.id}: it holds no sku ${sku}`);
      if (found.has(sku)) throw new InvalidFulfillmentStep(`cannot pick fulfillment ${this.id}: sku ${sku} is named twice`);
      if (quantity > line.quantity) {
        throw new InvalidFulfillmentStep(`cannot pick fulfillment ${this.id}: ${quantity} of ${sku} found but only ${line.quantity} to pick`);
      }
      found.set(sku, quantity);
    }
    const missing = this.lines.filter((line) => !found.has(line.sku)).map((line) => line.sku);
    if (missing.length) {
      throw new InvalidFulfillmentStep(`cannot pick fulfillment ${this.id}: every sku must be reported, missing ${missing.join(', ')}`);
    }
    return found;
  }

  private expectCounter(step: string): void {
    if (this.kind !== 'PICKUP') {
      throw new FulfillmentStepRefused(`cannot ${step} fulfillment ${this.id}: only a PICKUP fulfillment is handed over at the counter (this one is ${this.kind})`);
    }
  }

  /** An e-reservation past its deadline is no longer handed over, nor announced as ready to be. */
  private expectNotExpired(step: string, now: Date): void {
    if (this.expiresAt && this.expiresAt.getTime() <= now.getTime()) {
      throw new FulfillmentStepRefused(`cannot ${step} fulfillment ${this.id}: the reservation expired at ${this.expiresAt.toISOString()}`);
    }
  }

  private expect(step: string, allowed: FulfillmentStatus[]): void {
    if (!allowed.includes(this.status)) {
      throw new FulfillmentStepRefused(`cannot ${step} fulfillment ${this.id}: it is ${this.status}, it must be ${allowed.join(' or ')}`);
    }
  }

  private moveTo(status: FulfillmentStatus, now: Date, detail?: string): void {
    this.status = status;
    this.record(status, now, detail);
  }

  private record(status: FulfillmentStatus, now: Date, detail?: string): void {
    this.updatedAt = now;
    this.history = [...this.history, { status, at: now.toISOString(), ...(detail ? { detail } : {}) }];
  }
}

/** An allocation may list one SKU on several lines (several order lines); staff pick it as one. */
function mergeBySku(lines: AllocationLine[]): AllocationLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
