import { Migration } from '@mikro-orm/migrations';

/** The network routing needs (locations, fulfillments started per day), and the saga's re-routes and deadlines. */
export class RoutingMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table location_view (
      id text primary key,
      name text not null,
      type text not null,
      lat double precision not null,
      lng double precision not null,
      ship boolean not null,
      pickup boolean not null,
      reserve boolean not null,
      daily_capacity integer,
      priority integer,
      updated_at timestamptz not null
    )`);
    this.addSql(`create table location_load (
      location_id text not null,
      day date not null,
      started integer not null,
      primary key (location_id, day)
    )`);
    this.addSql(`alter table customer_order
      add column reroutes integer not null default 0,
      add column excluded jsonb not null default '[]',
      add column alternatives jsonb,
      add column counter_fulfillment_id text,
      add column next_deadline timestamptz`);
    // The saga's sweep finds the orders with a step overdue.
    this.addSql('create index customer_order_next_deadline on customer_order (next_deadline) where next_deadline is not null');
  }
}

export const routingMigration = { name: '0002-routing', class: RoutingMigration };
