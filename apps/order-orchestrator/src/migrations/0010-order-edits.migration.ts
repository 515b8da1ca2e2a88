import { Migration } from '@mikro-orm/migrations';

/** The edits applied to an order, by editId: a redelivered EditOrder changes nothing. */
export class OrderEditsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table customer_order add column edits jsonb not null default '[]'`);
  }
}

export const orderEditsMigration = { name: '0010-order-edits', class: OrderEditsMigration };
