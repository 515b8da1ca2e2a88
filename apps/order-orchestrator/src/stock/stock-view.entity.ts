import { Entity, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * The orchestrator's own copy of stock per (location, SKU), fed by
 * `fil.inventory.stock-levels.v1`. Routing reads it; inventory still has the
 * last word when it is asked to reserve.
 */
@Entity({ tableName: 'stock_view' })
export class StockView {
  [PrimaryKeyProp]?: ['locationId', 'sku'];

  @PrimaryKey({ type: 'string', columnType: 'text' }) locationId: string;
  @PrimaryKey({ type: 'string', columnType: 'text' }) sku: string;
  @Property({ type: 'integer' }) onHand: number;
  @Property({ type: 'integer' }) reserved: number;
  @Property({ type: 'integer' }) safetyStock: number;
  @Property({ type: 'integer' }) atp: number;
  @Property({ type: 'Date', columnType: 'timestamptz' }) updatedAt: Date;
}
