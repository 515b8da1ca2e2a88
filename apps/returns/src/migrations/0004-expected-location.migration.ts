import { Migration } from '@mikro-orm/migrations';

/** Where a return is expected, so that a location's staff list the returns they are to receive. */
export class ExpectedLocationMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table customer_return add column expected_location_id text');
    this.addSql('create index customer_return_expected_location on customer_return (expected_location_id, created_at) where received_location_id is null');
    this.addSql('create index customer_return_received_location on customer_return (received_location_id, created_at)');
  }
}

export const expectedLocationMigration = { name: '0004-expected-location', class: ExpectedLocationMigration };
