import { Migration } from '@mikro-orm/migrations';

/** Whether an order in NEEDS_ATTENTION waits only for answers that did not come: orders already waiting keep waiting for a person. */
export class AttentionOnSilenceMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table customer_order add column attention_on_silence boolean not null default false');
  }
}

export const attentionOnSilenceMigration = { name: '0015-attention-on-silence', class: AttentionOnSilenceMigration };
