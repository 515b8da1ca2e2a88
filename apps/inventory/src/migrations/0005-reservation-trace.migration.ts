import { Migration } from '@mikro-orm/migrations';

/** The trace of the command that made a reservation, so that its expiry, hours later, continues the order's journey. */
export class ReservationTraceMigration extends Migration {
  override async up(): Promise<void> {
    // Nullable without a default: PostgreSQL adds it without rewriting the table.
    this.addSql('alter table reservation add column traceparent text');
  }
}

export const reservationTraceMigration = { name: '0005-reservation-trace', class: ReservationTraceMigration };
