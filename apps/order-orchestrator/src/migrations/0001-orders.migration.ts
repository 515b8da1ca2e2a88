import { Migration } from '@mikro-orm/migrations';

/** Orders with their timeline, and the stock view that routing reads. */
export class OrdersMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table customer_order (
      order_id text primary key,
      channel text,
      delivery_mode text,
      customer jsonb,
      customer_id text,
      shipping_address jsonb,
      pickup_location_id text,
      lines jsonb not null,
      currency text,
      placed_at timestamptz,
      status text not null,
      allocations jsonb not null default '[]',
      backordered jsonb not null default '[]',
      routing jsonb,
      returned jsonb not null default '{}',
      refund_ids jsonb not null default '[]',
      errors jsonb not null default '[]',
      content_hash text not null,
      traceparent text,
      steps integer not null default 0,
      version integer not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`);
    // Customer service lists a customer's orders, newest first.
    this.addSql('create index customer_order_customer on customer_order (customer_id, created_at desc)');
    // Deferred: the ORM does not know the two rows are related, so it may insert the step first.
    this.addSql(`create table order_transition (
      id bigserial primary key,
      order_id text not null references customer_order (order_id) deferrable initially deferred,
      number integer not null,
      from_status text,
      to_status text not null,
      cause text not null,
      at timestamptz not null,
      unique (order_id, number)
    )`);
    this.addSql(`create table stock_view (
      location_id text not null,
      sku text not null,
      on_hand integer not null,
      reserved integer not null,
      safety_stock integer not null,
      atp integer not null,
      updated_at timestamptz not null,
      primary key (location_id, sku)
    )`);
    this.addSql('create index stock_view_sku on stock_view (sku)');
  }
}

export const ordersMigration = { name: '0001-orders', class: OrdersMigration };
