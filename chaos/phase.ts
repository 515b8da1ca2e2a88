import type { TrackedOrder } from './journey';

/** One fault under load, and what the suite measured and found around it. */
export class Phase {
  readonly orders: TrackedOrder[] = [];
  /** What the fault did, in words (connections terminated, messages replayed...). */
  readonly notes: string[] = [];
  failures: string[] = [];
  doubles: string[] = [];
  /** Messages Kafka received twice from a relay during the phase (harmless when consumers dedupe). */
  sentTwice = 0;
  injectedAt?: number;
  healedAt?: number;
  private recoveredAt?: number;

  constructor(readonly fault: string) {}

  /**
   * A journey step got through. The phase has recovered when every step tried before
   * the fault was healed has got through: the last of those marks the recovery.
   */
  stepDone(startedAt: number, doneAt: number): void {
    if (this.injectedAt === undefined || doneAt < this.injectedAt) return;
    if (this.healedAt !== undefined && startedAt > this.healedAt) return;
    this.recoveredAt = Math.max(this.recoveredAt ?? 0, doneAt);
  }

  /** Seconds from the injection until the fault was healed (the service or broker serving again). */
  get downSeconds(): number | undefined {
    return this.injectedAt && this.healedAt ? (this.healedAt - this.injectedAt) / 1000 : undefined;
  }

  /** Seconds from the injection until every step tried before the heal had got through. */
  get recoverySeconds(): number | undefined {
    if (!this.injectedAt || !this.healedAt) return undefined;
    return (Math.max(this.recoveredAt ?? 0, this.healedAt) - this.injectedAt) / 1000;
  }

  get passed(): boolean {
    return !this.failures.length && !this.doubles.length;
  }
}
