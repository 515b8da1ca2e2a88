import { Migration } from '@mikro-orm/migrations';

/** The outbox and the handled-message ids, in every service's own database. */
export class MessagingTablesMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists outbox_message (
      id bigserial primary key,
      message_id text not null,
      topic text not null,
      message_key text,
      type text not null,
      headers jsonb not null,
      payload text not null,
      created_at timestamptz not null default now(),
      published_at timestamptz
    )`);
    this.addSql('create index if not exists outbox_message_pending on outbox_message (id) where published_at is null');
    this.addSql('create index if not exists outbox_message_published on outbox_message (published_at) where published_at is not null');
    this.addSql(`create table if not exists handled_message (
      consumer text not null,
      message_id text not null,
      handled_at timestamptz not null default now(),
      primary key (consumer, message_id)
    )`);
    this.addSql('create index if not exists handled_message_at on handled_message (handled_at)');
  }
}

export const messagingMigration = { name: '0000-messaging', class: MessagingTablesMigration };
