import { Migration } from '@mikro-orm/migrations';

/** Where stock rose since an order was marked for a backorder retry: a location its re-routes excluded serves it again from there. */
export class BackorderRisenMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table backorder_retry add column risen text[] not null default '{}'`);
  }
}

export const backorderRisenMigration = { name: '0017-backorder-risen', class: BackorderRisenMigration };
