import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { ReservationsService } from './reservations.service';

/**
 * Sweeps reservations past their expiry every `FIL_EXPIRY_POLL_MS` (default 1 s).
 * Deadlines live in the database, so nothing is lost when an instance restarts.
 */
@Injectable()
export class ExpiryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ExpiryService.name);
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly orm: MikroORM,
    private readonly reservations: ReservationsService,
  ) {}

  onApplicationBootstrap() {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown() {
    this.running = false;
    await this.loop;
  }

  private async run() {
    const pollMs = Number(process.env.FIL_EXPIRY_POLL_MS ?? 1_000);
    while (this.running) {
      try {
        const expired = await this.orm.em.fork().transactional((em) => this.reservations.expireDue(em));
        if (expired) continue;
      } catch (error) {
        // A deadlock with a reservation batch, or the database away: the next sweep takes them again.
        this.logger.warn(`reservation expiry sweep failed: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}
