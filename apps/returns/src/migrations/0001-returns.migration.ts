import { Migration } from '@mikro-orm/migrations';

export class ReturnsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table order_view (
      order_id text primary key,
      status text not null,
      currency text,
      lines jsonb not null default '[]',
      delivered_at timestamptz,
      last_event_at timestamptz,
      traceparent text,
      updated_at timestamptz not null
    )`);
    // "return" is an SQL keyword, hence the table name.
    this.addSql(`create table customer_return (
      id text primary key,
      order_id text not null,
      status text not null,
      lines jsonb not null,
      rejection_reason text,
      rejection_message text,
      inspection jsonb,
      received_at timestamptz,
      received_location_id text,
      refund jsonb,
      traceparent text,
      created_at timestamptz not null,
      version integer not null default 1
    )`);
    this.addSql('create index customer_return_order_id on customer_return (order_id)');
  }
}

export const returnsMigration = { name: '0001-returns', class: ReturnsMigration };
