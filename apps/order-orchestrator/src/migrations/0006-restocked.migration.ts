import { Migration } from '@mikro-orm/migrations';

/** Units put back in stock per SKU (refund lines inspected RESELLABLE): the restock rate of the KPIs. */
export class RestockedMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table customer_order add column restocked jsonb not null default '{}'`);
  }
}

export const restockedMigration = { name: '0006-restocked', class: RestockedMigration };
