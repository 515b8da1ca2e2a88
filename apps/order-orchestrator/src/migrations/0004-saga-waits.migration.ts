import { Migration } from '@mikro-orm/migrations';

/** What the saga keeps while it waits: availability checks, cancellations ahead of their order, backorders due for a retry. */
export class SagaWaitsMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table customer_order
      add column availability_checks jsonb not null default '[]',
      add column checks_asked integer not null default 0`);
    this.addSql(`create table pending_cancellation (
      order_id text primary key,
      reason text not null,
      received_at timestamptz not null
    )`);
    this.addSql('create index pending_cancellation_received_at on pending_cancellation (received_at)');
    // A new mark on every rise: a retry clears only the mark it saw, so a rise during the retry is not lost.
    this.addSql('create sequence backorder_retry_mark');
    this.addSql(`create table backorder_retry (
      order_id text primary key,
      mark bigint not null default nextval('backorder_retry_mark')
    )`);
    this.addSql('create index backorder_retry_by_mark on backorder_retry (mark)');
  }
}

export const sagaWaitsMigration = { name: '0004-saga-waits', class: SagaWaitsMigration };
