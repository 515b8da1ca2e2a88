import { Migration } from '@mikro-orm/migrations';

/** Handled messages keyed by (source, id), as CloudEvents ids are unique only per source, with a digest of their content. */
export class MessagingDedupeBySourceMigration extends Migration {
  override async up(): Promise<void> {
    // Rows from before have no source and no digest: they stay redeliveries to skip, never conflicts.
    this.addSql(`alter table handled_message add column source text not null default ''`);
    this.addSql('alter table handled_message add column digest text');
    this.addSql('alter table handled_message drop constraint handled_message_pkey');
    this.addSql('alter table handled_message add primary key (consumer, source, message_id)');
  }
}

export const messagingDedupeBySourceMigration = { name: '0000-messaging-dedupe-by-source', class: MessagingDedupeBySourceMigration };
