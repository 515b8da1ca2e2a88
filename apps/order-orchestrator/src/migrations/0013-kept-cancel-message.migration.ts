import { Migration } from '@mikro-orm/migrations';

/** A CancelOrder kept for its order keeps the message itself, to be dead-lettered if the order never comes. */
export class KeptCancelMessageMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table pending_cancellation add column message jsonb');
  }
}

export const keptCancelMessageMigration = { name: '0013-kept-cancel-message', class: KeptCancelMessageMigration };
