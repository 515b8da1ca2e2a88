import { Migration } from '@mikro-orm/migrations';

/**
 * Outbox rows the broker refused (parked with its error until an operator acts), handled
 * messages that were dead-lettered (so a redrive may take them back once), and operators'
 * requests to dead-letter a message that keeps failing.
 */
export class MessagingFailuresMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table outbox_message add column parked_at timestamptz, add column error text');
    this.addSql('drop index if exists outbox_message_pending');
    this.addSql('create index outbox_message_pending on outbox_message (id) where published_at is null and parked_at is null');
    this.addSql('create index outbox_message_parked on outbox_message (id) where parked_at is not null');
    this.addSql('alter table handled_message add column dead_lettered boolean not null default false');
    this.addSql(`create table dead_letter_request (
      consumer text not null,
      topic text not null,
      partition integer not null,
      message_offset bigint not null,
      requested_at timestamptz not null default now(),
      primary key (consumer, topic, partition, message_offset)
    )`);
  }
}

export const messagingFailuresMigration = { name: '0000-messaging-failures', class: MessagingFailuresMigration };
