import { Migration } from '@mikro-orm/migrations';

/** The location profile's promise fields (processing time, cut-off hour, opening hours), copied from inventory's records. */
export class LocationPromiseMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table location_view add column processing_hours integer, add column cut_off_hour integer, add column opens_at text, add column closes_at text');
  }
}

export const locationPromiseMigration = { name: '0009-location-promise', class: LocationPromiseMigration };
