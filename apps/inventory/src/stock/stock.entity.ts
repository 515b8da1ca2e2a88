import { Entity, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';
import type { StockLevel } from '@fil/contracts';

/** A stock rule was about to be broken; callers turn it into a 409 or a refusal. */
export class StockRuleViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StockRuleViolation';
  }
}

/** Units of one SKU at one location. Every figure stays >= 0 (also CHECKed in SQL). */
@Entity({ tableName: 'stock' })
export class Stock {
  [PrimaryKeyProp]?: ['locationId', 'sku'];

  @PrimaryKey({ type: 'string' }) locationId: string;
  @PrimaryKey({ type: 'string' }) sku: string;
  @Property({ type: 'integer' }) onHand = 0;
  @Property({ type: 'integer' }) reserved = 0;
  /** Units kept for walk-in shoppers, never promised online. */
  @Property({ type: 'integer' }) safetyStock = 0;
  /** Its own reorder point; null: FIL_REORDER_POINT_DEFAULT (stock-alerts.ts). */
  @Property({ type: 'integer', nullable: true }) reorderPoint: number | null = null;
  /** Whether ATP was last announced at or below the reorder point (StockLow). */
  @Property({ type: 'boolean' }) low = false;
  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() }) updatedAt: Date = new Date();

  constructor(locationId: string, sku: string) {
    this.locationId = locationId;
    this.sku = sku;
  }

  /** Available to promise: what may still be reserved. */
  get atp(): number {
    return availableToPromise(this.onHand, this.reserved, this.safetyStock);
  }

  /**
   * A person states the count (HTTP): it may not drop below what is already promised. A POS count
   * may have left it there already: the count may then stay or rise, and the safety stock change.
   */
  setCount(onHand: number, safetyStock = this.safetyStock): void {
    if (!isCount(onHand) || !isCount(safetyStock)) throw new StockRuleViolation('onHand and safetyStock must be non-negative integers');
    if (onHand < this.reserved && onHand < this.onHand) {
      throw new StockRuleViolation(`onHand ${onHand} is below the ${this.reserved} units reserved for ${this.locationId}:${this.sku}`);
    }
    this.onHand = onHand;
    this.safetyStock = safetyStock;
  }

  /**
   * A POS/WMS count or movement is the physical truth and is never refused; it can
   * leave onHand under reserved (ATP is then 0). Returns whether it had to clamp at 0.
   */
  adjust(mode: 'SET' | 'DELTA', quantity: number): { clamped: boolean } {
    const target = mode === 'SET' ? quantity : this.onHand + quantity;
    this.onHand = Math.max(0, target);
    return { clamped: target < 0 };
  }

  reserve(quantity: number): void {
    if (quantity > this.atp) throw new StockRuleViolation(`only ${this.atp} of ${this.sku} available, ${quantity} asked`);
    this.reserved += quantity;
  }

  release(quantity: number): void {
    if (quantity > this.reserved) throw new StockRuleViolation(`cannot release ${quantity} of ${this.sku}: ${this.reserved} reserved`);
    this.reserved -= quantity;
  }

  /** The reserved units leave the building. A count may already have counted them out, hence the floor at 0: returns how many it did not count. */
  consume(quantity: number): number {
    this.release(quantity);
    const uncounted = Math.max(0, quantity - this.onHand);
    this.onHand -= quantity - uncounted;
    return uncounted;
  }

  toLevel(): StockLevel {
    return {
      locationId: this.locationId,
      sku: this.sku,
      onHand: this.onHand,
      reserved: this.reserved,
      safetyStock: this.safetyStock,
      atp: this.atp,
    };
  }
}

export function availableToPromise(onHand: number, reserved: number, safetyStock: number): number {
  return Math.max(0, onHand - reserved - safetyStock);
}

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}
