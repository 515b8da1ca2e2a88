import { Migration } from '@mikro-orm/migrations';

/** Which record of a dead-lettered message was dead-lettered: a copy from another record is sent again, not redelivered. */
export class MessagingResendMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table handled_message add column dead_lettered_record text');
  }
}

export const messagingResendMigration = { name: '0000-messaging-resend', class: MessagingResendMigration };
