import { Migration } from '@mikro-orm/migrations';

/** Transfers know the pickup store they travel to; e-reservations know when they can no longer be collected. */
export class CounterMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table fulfillment add column destination_location_id text, add column expires_at timestamptz');
  }
}

export const counterMigration = { name: '0002-counter', class: CounterMigration };
