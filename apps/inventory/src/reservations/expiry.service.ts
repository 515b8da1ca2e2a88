import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Sweepers, type DeadlineJob } from '@fil/platform';
import { ReservationsService } from './reservations.service';

/**
 * Releases reservations still held `FIL_EXPIRY_GRACE_SECONDS` (default 300) past their
 * deadline, every `FIL_EXPIRY_POLL_MS` (default 1 s), each in its own transaction. The grace
 * lets the commit of a collect accepted just before the deadline arrive first.
 */
@Injectable()
export class ExpiryService implements OnApplicationBootstrap, DeadlineJob {
  readonly what = 'reservation expiry';
  private readonly graceMs = Number(process.env.FIL_EXPIRY_GRACE_SECONDS ?? 300) * 1000;

  constructor(
    private readonly orm: MikroORM,
    private readonly reservations: ReservationsService,
    private readonly sweepers: Sweepers,
  ) {}

  onApplicationBootstrap() {
    this.sweepers.start(this, Number(process.env.FIL_EXPIRY_POLL_MS ?? 1_000));
  }

  async due(limit: number, skip: string[]): Promise<string[]> {
    const rows = await this.orm.em.fork().execute<{ id: string }[]>(
      `select id from reservation
        where status = 'HELD' and expires_at <= ? and id not in (select jsonb_array_elements_text(?::jsonb))
        order by expires_at limit ?`,
      [new Date(Date.now() - this.graceMs), JSON.stringify(skip), limit],
    );
    return rows.map((row) => row.id);
  }

  handle(id: string): Promise<boolean> {
    return this.orm.em.fork().transactional((em) => this.reservations.expireIfDue(id, this.graceMs, em));
  }
}
