import { Migration } from '@mikro-orm/migrations';

/** Reservations may expire (e-reservations): the deadline is stored so that it survives restarts. */
export class ReservationExpiryMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table reservation add column expires_at timestamptz');
    this.addSql('alter table reservation drop constraint if exists reservation_status_check');
    this.addSql(`alter table reservation add constraint reservation_status_check
      check (status in ('HELD', 'REFUSED', 'RELEASED', 'COMMITTED', 'EXPIRED'))`);
    this.addSql(`create index reservation_expiry on reservation (expires_at) where status = 'HELD' and expires_at is not null`);
  }
}

export const reservationExpiryMigration = { name: '0002-reservation-expiry', class: ReservationExpiryMigration };
