import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { describeError } from '@fil/observability';

/**
 * A job whose deadlines live in the database (reservation expiry, saga steps): a restart
 * loses nothing, the next sweep finds the work again.
 */
export interface DeadlineJob {
  /** Names the job in logs and in /health. */
  what: string;
  /** Ids of up to `limit` items past their deadline, oldest first, leaving out `skip`. */
  due(limit: number, skip: string[]): Promise<string[]>;
  /** Handles one item in its own transaction; returns false when it was no longer due (or another instance has it). */
  handle(id: string): Promise<boolean>;
  /** The item failed `GIVE_UP_AFTER` times in a row: show it to ops, and take it out of the sweep if the job can. */
  giveUp?(id: string, reason: string): Promise<void>;
}

/** Failures in a row after which an item is stuck: reported, and handed to `giveUp`. */
export const GIVE_UP_AFTER = 5;
/** The longest a failing item waits before it is tried again. */
const MAX_BACKOFF_MS = 5 * 60_000;
const SWEEP_LIMIT = 50;

interface Failure {
  failures: number;
  reason: string;
  retryAt: number;
}

/** What /health shows of a sweep: the items it skips for now because handling them failed. */
export interface SweeperReport {
  what: string;
  failing: { id: string; failures: number; reason: string; stuck: boolean }[];
}

/**
 * Runs a job every `pollMs`; a sweep that found work runs again at once. Each item is
 * handled on its own, so one that throws (bad data, a bug) rolls back only itself: it is
 * logged once, skipped with a growing backoff while the others go on, and after
 * `GIVE_UP_AFTER` failures reported as stuck and given up to the job.
 */
export class Sweeper {
  private readonly failing = new Map<string, Failure>();
  private readonly logger: Logger;
  private running = false;
  private loop?: Promise<void>;
  private passes = 0;
  private waiters: { after: number; resolve: () => void }[] = [];

  constructor(
    private readonly job: DeadlineJob,
    private readonly pollMs: number,
  ) {
    this.logger = new Logger(job.what);
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Resolves once the current sweep is over. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** One sweep: items whose backoff is over first, then what is newly due; returns how many were newly due. */
  async sweep(): Promise<number> {
    const now = Date.now();
    const retries = [...this.failing].filter(([, failure]) => failure.retryAt <= now).map(([id]) => id);
    const due = await this.job.due(SWEEP_LIMIT, [...this.failing.keys()]);
    for (const id of [...retries, ...due]) await this.attempt(id);
    return due.length;
  }

  /** Resolves when a sweep that starts after this call has finished, failed or not: tests wait on it before asserting that nothing happened. */
  afterNextPass(): Promise<void> {
    const after = this.passes;
    return new Promise((resolve) => this.waiters.push({ after, resolve }));
  }

  report(): SweeperReport {
    return {
      what: this.job.what,
      failing: [...this.failing].map(([id, { failures, reason }]) => ({ id, failures, reason, stuck: failures >= GIVE_UP_AFTER })),
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      const pass = ++this.passes;
      let found = 0;
      try {
        found = await this.sweep();
      } catch (error) {
        // The due query itself failed (the database away): nothing was taken, the next sweep tries again.
        this.logger.warn(`${this.job.what} failed: ${describeError(error)}`);
      }
      for (const waiter of this.waiters.filter(({ after }) => pass > after)) waiter.resolve();
      this.waiters = this.waiters.filter(({ after }) => pass <= after);
      if (!found) await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  private async attempt(id: string): Promise<void> {
    try {
      const handled = await this.job.handle(id);
      const failure = this.failing.get(id);
      this.failing.delete(id);
      if (failure && handled) this.logger.log(`${this.job.what}: ${id} handled after ${failure.failures} failure(s)`);
    } catch (error) {
      await this.failed(id, describeError(error));
    }
  }

  private async failed(id: string, reason: string): Promise<void> {
    const failures = (this.failing.get(id)?.failures ?? 0) + 1;
    this.failing.set(id, { failures, reason, retryAt: Date.now() + Math.min(MAX_BACKOFF_MS, this.pollMs * 2 ** failures) });
    if (failures === 1) this.logger.warn(`${this.job.what}: ${id} failed, skipped for now and tried again later: ${reason}`);
    if (failures !== GIVE_UP_AFTER) return;
    this.logger.error(`${this.job.what}: ${id} is stuck after ${failures} failures: ${reason}`);
    try {
      await this.job.giveUp?.(id, `${failures} attempts, last: ${reason}`);
    } catch (error) {
      this.logger.error(`${this.job.what}: could not give ${id} up: ${describeError(error)}`);
    }
  }
}

/** Every sweeper of the service: started by the jobs' owners, stopped at shutdown, reported by /health. */
@Injectable()
export class Sweepers implements BeforeApplicationShutdown {
  private readonly sweepers: Sweeper[] = [];

  start(job: DeadlineJob, pollMs: number): Sweeper {
    const sweeper = new Sweeper(job, pollMs);
    sweeper.start();
    this.sweepers.push(sweeper);
    return sweeper;
  }

  report(): SweeperReport[] {
    return this.sweepers.map((sweeper) => sweeper.report());
  }

  /** Resolves once every sweeper has run a whole sweep that began after this call. */
  async afterNextPass(): Promise<void> {
    await Promise.all(this.sweepers.map((sweeper) => sweeper.afterNextPass()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.sweepers.map((sweeper) => sweeper.stop()));
  }
}
