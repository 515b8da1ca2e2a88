import { Migration } from '@mikro-orm/migrations';

/** A counter's own units, as the order named them: the rest must arrive by transfer before it is ready. */
export class OwnLinesMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table fulfillment add column own_lines jsonb');
  }
}

export const ownLinesMigration = { name: '0004-own-lines', class: OwnLinesMigration };
