import { Migration } from '@mikro-orm/migrations';

/** Ops list the orders in one status (NEEDS_ATTENTION, PARTIALLY_ALLOCATED...), newest first. */
export class OrdersByStatusMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index customer_order_status on customer_order (status, created_at desc)');
  }
}

export const ordersByStatusMigration = { name: '0003-orders-by-status', class: OrdersByStatusMigration };
