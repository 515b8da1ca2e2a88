import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** The orchestrator's copy of a location's profile, fed by `fil.inventory.locations.v1`. */
@Entity({ tableName: 'location_view' })
export class LocationView {
  @PrimaryKey({ type: 'string', columnType: 'text' }) id: string;
  @Property({ type: 'string', columnType: 'text' }) name: string;
  @Property({ type: 'string', columnType: 'text' }) type: 'WAREHOUSE' | 'STORE';
  @Property({ type: 'double' }) lat: number;
  @Property({ type: 'double' }) lng: number;
  @Property({ type: 'boolean' }) ship: boolean;
  @Property({ type: 'boolean' }) pickup: boolean;
  @Property({ type: 'boolean' }) reserve: boolean;
  @Property({ type: 'integer', nullable: true }) dailyCapacity: number | null;
  @Property({ type: 'integer', nullable: true }) priority: number | null;
  @Property({ type: 'integer', nullable: true }) processingHours: number | null;
  @Property({ type: 'integer', nullable: true }) cutOffHour: number | null;
  @Property({ type: 'string', columnType: 'text', nullable: true }) opensAt: string | null;
  @Property({ type: 'string', columnType: 'text', nullable: true }) closesAt: string | null;
  @Property({ type: 'Date', columnType: 'timestamptz' }) updatedAt: Date;
}
