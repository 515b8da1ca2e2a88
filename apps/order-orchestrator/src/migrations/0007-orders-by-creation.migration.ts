import { Migration } from '@mikro-orm/migrations';

/** KPIs and the routing simulator read the orders created in a window, newest first. */
export class OrdersByCreationMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index if not exists customer_order_created_at on customer_order (created_at desc)');
  }
}

export const ordersByCreationMigration = { name: '0007-orders-by-creation', class: OrdersByCreationMigration };
