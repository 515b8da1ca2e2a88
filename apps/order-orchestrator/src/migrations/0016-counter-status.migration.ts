import { Migration } from '@mikro-orm/migrations';

/** What fulfillment last reported of an order's counter: one serving transfers only has no part to keep it on. */
export class CounterStatusMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table customer_order add column counter_status text');
  }
}

export const counterStatusMigration = { name: '0016-counter-status', class: CounterStatusMigration };
