import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

export const LOCATION_TYPES = ['WAREHOUSE', 'STORE'] as const;
export type LocationType = (typeof LOCATION_TYPES)[number];

/** What a location is and what it can do; routing reads these through the stock-level view. */
export interface LocationProfile {
  name: string;
  type: LocationType;
  lat: number;
  lng: number;
  ship: boolean;
  pickup: boolean;
  reserve: boolean;
  dailyCapacity?: number | null;
  priority?: number | null;
  processingHours?: number | null;
  cutOffHour?: number | null;
  opensAt?: string | null;
  closesAt?: string | null;
}

/** A warehouse or store that holds stock. */
@Entity({ tableName: 'location' })
export class Location {
  @PrimaryKey({ type: 'string' }) id: string;
  @Property({ type: 'string' }) name: string;
  @Property({ type: 'string' }) type: LocationType;
  @Property({ type: 'double' }) lat: number;
  @Property({ type: 'double' }) lng: number;
  @Property({ type: 'boolean' }) ship: boolean;
  @Property({ type: 'boolean' }) pickup: boolean;
  @Property({ type: 'boolean' }) reserve: boolean;
  /** Fulfillments it may start per day; null = unlimited. */
  @Property({ type: 'integer', nullable: true }) dailyCapacity: number | null = null;
  /** Routing tie-break: lower first; null = last. */
  @Property({ type: 'integer', nullable: true }) priority: number | null = null;
  /** For delivery promises (LocationRecord says what each means); null = the configured default. */
  @Property({ type: 'integer', nullable: true }) processingHours: number | null = null;
  @Property({ type: 'integer', nullable: true }) cutOffHour: number | null = null;
  @Property({ type: 'string', columnType: 'text', nullable: true }) opensAt: string | null = null;
  @Property({ type: 'string', columnType: 'text', nullable: true }) closesAt: string | null = null;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt: Date = new Date();
  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() }) updatedAt: Date = new Date();

  constructor(id: string, profile: LocationProfile) {
    this.id = id;
    this.update(profile);
  }

  update(profile: LocationProfile): void {
    this.name = profile.name;
    this.type = profile.type;
    this.lat = profile.lat;
    this.lng = profile.lng;
    this.ship = profile.ship;
    this.pickup = profile.pickup;
    this.reserve = profile.reserve;
    this.dailyCapacity = profile.dailyCapacity ?? null;
    this.priority = profile.priority ?? null;
    this.processingHours = profile.processingHours ?? null;
    this.cutOffHour = profile.cutOffHour ?? null;
    this.opensAt = profile.opensAt ?? null;
    this.closesAt = profile.closesAt ?? null;
  }
}
