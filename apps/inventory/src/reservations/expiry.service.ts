import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { integer, setting } from '@fil/config';
import { Sweepers, type DeadlineJob } from '@fil/platform';
import { ReservationsService } from './reservations.service';

export const EXPIRY_GRACE_SECONDS = integer('FIL_EXPIRY_GRACE_SECONDS', { min: 0, max: 86_400, unit: 'seconds', fallback: 300 }, 'How long past its deadline a reservation is still held, so a collect accepted just before it commits first; never more than a tenth of the hold itself.');
export const EXPIRY_POLL_MS = integer('FIL_EXPIRY_POLL_MS', { min: 10, max: 3_600_000, unit: 'milliseconds', fallback: 1_000 }, 'How often expired reservations are swept.');

/**
 * Releases reservations still held EXPIRY_GRACE_SECONDS (at most a tenth of their hold) past
 * their deadline, every EXPIRY_POLL_MS, each in its own transaction. The grace lets the commit
 * of a collect accepted just before the deadline arrive first.
 */
@Injectable()
export class ExpiryService implements OnApplicationBootstrap, DeadlineJob {
  readonly what = 'reservation expiry';
  private readonly graceMs = setting(EXPIRY_GRACE_SECONDS) * 1000;

  constructor(
    private readonly orm: MikroORM,
    private readonly reservations: ReservationsService,
    private readonly sweepers: Sweepers,
  ) {}

  onApplicationBootstrap() {
    this.sweepers.start(this, setting(EXPIRY_POLL_MS));
  }

  async due(limit: number, skip: string[]): Promise<string[]> {
    const now = new Date();
    // The same grace as Reservation.expire; the first bound lets the partial index on expires_at serve.
    const rows = await this.orm.em.fork().execute<{ id: string }[]>(
      `select id from reservation
        where status = 'HELD' and expires_at <= ?
          and expires_at + least(? * interval '1 millisecond', greatest(expires_at - created_at, interval '0') / 10) <= ?
          and id not in (select jsonb_array_elements_text(?::jsonb))
        order by expires_at limit ?`,
      [now, this.graceMs, now, JSON.stringify(skip), limit],
    );
    return rows.map((row) => row.id);
  }

  handle(id: string): Promise<boolean> {
    return this.orm.em.fork().transactional((em) => this.reservations.expireIfDue(id, this.graceMs, em));
  }
}
