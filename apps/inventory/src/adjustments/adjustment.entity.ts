import { Entity, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

export interface AppliedAdjustment {
  adjustmentId: string;
  locationId: string;
  sku: string;
  mode: 'SET' | 'DELTA';
  quantity: number;
  reason: string;
}

/** A POS/WMS adjustment once applied: its id makes a second delivery a no-op. */
@Entity({ tableName: 'adjustment' })
export class Adjustment {
  [PrimaryKeyProp]?: 'adjustmentId';

  @PrimaryKey({ type: 'string' }) adjustmentId: string;
  @Property({ type: 'string' }) locationId: string;
  @Property({ type: 'string' }) sku: string;
  @Property({ type: 'string' }) mode: 'SET' | 'DELTA';
  @Property({ type: 'integer' }) quantity: number;
  @Property({ type: 'string' }) reason: string;
  @Property({ type: 'integer' }) onHandBefore: number;
  @Property({ type: 'integer' }) onHandAfter: number;
  /** The count would have gone negative and was floored at 0: a sign that POS and WMS disagree. */
  @Property({ type: 'boolean' }) clamped: boolean;
  @Property({ type: 'Date', columnType: 'timestamptz' }) appliedAt: Date = new Date();

  constructor(applied: AppliedAdjustment, onHandBefore: number, onHandAfter: number, clamped: boolean) {
    this.adjustmentId = applied.adjustmentId;
    this.locationId = applied.locationId;
    this.sku = applied.sku;
    this.mode = applied.mode;
    this.quantity = applied.quantity;
    this.reason = applied.reason;
    this.onHandBefore = onHandBefore;
    this.onHandAfter = onHandAfter;
    this.clamped = clamped;
  }

  /** Whether `other` asks for this very change (a resend), whatever its message id. */
  sameAs(other: AppliedAdjustment): boolean {
    return this.locationId === other.locationId && this.sku === other.sku && this.mode === other.mode && this.quantity === other.quantity && this.reason === other.reason;
  }

  describe(): string {
    return `${this.mode} ${this.quantity} of ${this.locationId}:${this.sku} (${this.reason})`;
  }
}
