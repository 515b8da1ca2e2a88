import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** What returns needs of a location, fed by `fil.inventory.locations.v1`: may it receive returns? */
@Entity({ tableName: 'location_view' })
export class LocationView {
  @PrimaryKey({ type: 'string', columnType: 'text' }) id: string;
  @Property({ type: 'string', columnType: 'text' }) type: 'WAREHOUSE' | 'STORE';
  @Property({ type: 'boolean' }) pickup: boolean;
  @Property({ type: 'Date', columnType: 'timestamptz' }) updatedAt: Date;

  /** Any warehouse, or a store with a counter (`pickup`), per PRODUCT.md. */
  receivesReturns(): boolean {
    return this.type === 'WAREHOUSE' || this.pickup;
  }
}
