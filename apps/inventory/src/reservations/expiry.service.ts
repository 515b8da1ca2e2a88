import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { startSweeper } from '@fil/platform';
import { ReservationsService } from './reservations.service';

/** Releases reservations past their expiry every `FIL_EXPIRY_POLL_MS` (default 1 s). */
@Injectable()
export class ExpiryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private sweeper?: { stop: () => Promise<void> };

  constructor(
    private readonly orm: MikroORM,
    private readonly reservations: ReservationsService,
  ) {}

  onApplicationBootstrap() {
    const pollMs = Number(process.env.FIL_EXPIRY_POLL_MS ?? 1_000);
    // A deadlock with a reservation batch is possible: the sweeper takes the reservations again next time.
    const sweep = () => this.orm.em.fork().transactional((em) => this.reservations.expireDue(em));
    this.sweeper = startSweeper('reservation expiry sweep', pollMs, sweep, new Logger(ExpiryService.name));
  }

  async beforeApplicationShutdown() {
    await this.sweeper?.stop();
  }
}
