import { Migration } from '@mikro-orm/migrations';

/** What each order actually delivered, and the locations that may receive returns. */
export class DeliveredAndLocationsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table order_view add column delivered jsonb');
    this.addSql(`create table location_view (
      id text primary key,
      type text not null,
      pickup boolean not null,
      updated_at timestamptz not null
    )`);
  }
}

export const deliveredAndLocationsMigration = { name: '0002-delivered-and-locations', class: DeliveredAndLocationsMigration };
