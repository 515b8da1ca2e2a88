import { Migration } from '@mikro-orm/migrations';

/**
 * A reorder point per SKU and location (null: the configured default), and whether the row's
 * ATP was last announced at or below it, so that each crossing is announced once.
 */
export class ReorderPointsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table stock add column reorder_point integer check (reorder_point >= 0)');
    this.addSql('alter table stock add column low boolean not null default false');
  }
}

export const reorderPointsMigration = { name: '0003-reorder-points', class: ReorderPointsMigration };
