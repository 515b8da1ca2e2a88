import { Migration } from '@mikro-orm/migrations';

/** What a pick found missing, and why. */
export class ShortPicksMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table fulfillment add column short_lines jsonb not null default '[]'`);
  }
}

export const shortPicksMigration = { name: '0003-short-picks', class: ShortPicksMigration };
