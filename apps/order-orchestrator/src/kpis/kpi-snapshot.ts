import type { Kpis } from './kpis.service';

export const DAY_MS = 24 * 3600 * 1000;
/** Two SQL statements over a day of orders are too costly for every scrape; a minute-old figure is fresh enough for a dashboard. */
export const KPI_REFRESH_MS = 60_000;

/** The last 24 hours' figures per channel and delivery mode, kept between refreshes made in the background. */
export class KpiSnapshot {
  private groups: Kpis['groups'] = [];
  private computedAt = -Infinity;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly compute: (from: Date, to: Date) => Promise<Kpis>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The figures last computed (none before the first refresh ends); starts a refresh when they are stale. */
  current(): Kpis['groups'] {
    if (!this.refreshing && this.now() - this.computedAt >= KPI_REFRESH_MS) {
      this.refreshing = this.refresh().finally(() => (this.refreshing = undefined));
    }
    return this.groups;
  }

  private async refresh(): Promise<void> {
    const to = new Date(this.now());
    // On failure the last figures stay, and the next try waits its minute: an unreachable database is not asked at every scrape.
    const kpis = await this.compute(new Date(to.getTime() - DAY_MS), to).catch(() => undefined);
    this.computedAt = this.now();
    if (kpis) this.groups = kpis.groups;
  }
}
