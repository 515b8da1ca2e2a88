import { Migration } from '@mikro-orm/migrations';

/** What each edit asked, by editId: the same editId for another edit is refused, not taken as done. */
export class EditDigestsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table customer_order add column edit_digests jsonb not null default '{}'`);
  }
}

export const editDigestsMigration = { name: '0014-edit-digests', class: EditDigestsMigration };
