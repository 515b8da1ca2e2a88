import { Migration } from '@mikro-orm/migrations';

/** Locations, stock, reservations and applied adjustments; every stock figure is CHECKed non-negative. */
export class InventoryMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table location (
      id text primary key,
      name text not null,
      type text not null check (type in ('WAREHOUSE', 'STORE')),
      lat double precision not null check (lat between -90 and 90),
      lng double precision not null check (lng between -180 and 180),
      ship boolean not null,
      pickup boolean not null,
      reserve boolean not null,
      daily_capacity integer check (daily_capacity >= 0),
      priority integer,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table stock (
      location_id text not null references location (id),
      sku text not null,
      on_hand integer not null default 0 check (on_hand >= 0),
      reserved integer not null default 0 check (reserved >= 0),
      safety_stock integer not null default 0 check (safety_stock >= 0),
      updated_at timestamptz not null default now(),
      primary key (location_id, sku)
    )`);
    this.addSql('create index stock_sku on stock (sku)');
    // No foreign key to location: refusals for an unknown location are kept too.
    this.addSql(`create table reservation (
      id text primary key,
      order_id text not null,
      location_id text not null,
      lines jsonb not null,
      status text not null check (status in ('HELD', 'REFUSED', 'RELEASED', 'COMMITTED')),
      reason text,
      short_lines jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql('create index reservation_order on reservation (order_id)');
    this.addSql(`create table adjustment (
      adjustment_id text primary key,
      location_id text not null references location (id),
      sku text not null,
      mode text not null check (mode in ('SET', 'DELTA')),
      quantity integer not null,
      reason text not null,
      on_hand_before integer not null check (on_hand_before >= 0),
      on_hand_after integer not null check (on_hand_after >= 0),
      clamped boolean not null,
      applied_at timestamptz not null default now()
    )`);
  }
}

export const inventoryMigration = { name: '0001-inventory', class: InventoryMigration };
