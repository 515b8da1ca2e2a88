import { Migration } from '@mikro-orm/migrations';

export class FulfillmentTablesMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table fulfillment (
      id text primary key,
      order_id text not null,
      location_id text not null,
      kind text not null check (kind in ('SHIP', 'PICKUP', 'TRANSFER')),
      reservation_id text,
      status text not null,
      lines jsonb not null,
      parcels jsonb not null default '[]',
      carrier text,
      tracking_number text,
      history jsonb not null default '[]',
      traceparent text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      version integer not null default 1
    )`);
    // Staff lists: one location's work by status, oldest first; customer service looks up by order.
    this.addSql('create index fulfillment_location_status on fulfillment (location_id, status, created_at)');
    this.addSql('create index fulfillment_order on fulfillment (order_id)');
  }
}

export const fulfillmentMigration = { name: '0001-fulfillment', class: FulfillmentTablesMigration };
