import { Migration } from '@mikro-orm/migrations';

/** What a delivery promise needs of a location: how long it takes to prepare, its cut-off hour, its opening hours (UTC). */
export class LocationPromiseMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table location add column processing_hours integer check (processing_hours between 0 and 720)');
    this.addSql('alter table location add column cut_off_hour integer check (cut_off_hour between 0 and 23)');
    this.addSql(`alter table location add column opens_at text check (opens_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$')`);
    this.addSql(`alter table location add column closes_at text check (closes_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$')`);
  }
}

export const locationPromiseMigration = { name: '0004-location-promise', class: LocationPromiseMigration };
