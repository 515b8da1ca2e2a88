import { Migration } from '@mikro-orm/migrations';

/** Where an order in NEEDS_ATTENTION came from: a person's retry or release returns it there. Orders already waiting take it from their timeline. */
export class AttentionFromMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table customer_order add column attention_from text');
    this.addSql(`update customer_order o set attention_from = (
      select t.from_status from order_transition t where t.order_id = o.order_id and t.to_status = 'NEEDS_ATTENTION' order by t.number desc limit 1
    ) where o.status = 'NEEDS_ATTENTION'`);
  }
}

export const attentionFromMigration = { name: '0011-attention-from', class: AttentionFromMigration };
