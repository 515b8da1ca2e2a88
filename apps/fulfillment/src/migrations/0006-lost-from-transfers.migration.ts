import { Migration } from '@mikro-orm/migrations';

/** Units a counter's pick found missing of those its transfers had brought: never counted back into the store's stock. */
export class LostFromTransfersMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table fulfillment add column lost_from_transfers jsonb not null default '[]'`);
  }
}

export const lostFromTransfersMigration = { name: '0006-lost-from-transfers', class: LostFromTransfersMigration };
