import { Migration } from '@mikro-orm/migrations';

/** Dead letters re-sent over HTTP (POST /dead-letters/{id}/redrive): each is re-sent once, and ops see by whom and when. */
export class DeadLetterRedrivesMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table dead_letter_redrive (
      dlq_topic text not null,
      dead_letter_id text not null,
      original_topic text not null,
      redriven_by text not null,
      redriven_at timestamptz not null default now(),
      primary key (dlq_topic, dead_letter_id)
    )`);
  }
}

export const deadLetterRedrivesMigration = { name: '0008-dead-letter-redrives', class: DeadLetterRedrivesMigration };
