import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_CHANNEL } from './relay-connection';

/** Outbox rows to publish, new or unparked, notify the relay at commit, so that it need not poll for them. */
export class MessagingNotifyMigration extends Migration {
  override async up(): Promise<void> {
    // One notification per transaction whatever its statements: PostgreSQL folds identical ones.
    this.addSql(`create function outbox_message_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('${OUTBOX_CHANNEL}', '');
        return null;
      end $$`);
    this.addSql(`create trigger outbox_message_notify after insert or update of parked_at on outbox_message
      for each statement execute function outbox_message_notify()`);
  }
}

export const messagingNotifyMigration = { name: '0000-messaging-notify', class: MessagingNotifyMigration };
