import { KPI_REFRESH_MS, KpiSnapshot } from './kpi-snapshot';
import type { Kpis } from './kpis.service';

const flush = () => new Promise((resolve) => setImmediate(resolve));

function snapshotOver(answers: (() => Promise<Pick<Kpis, 'groups'>>)[]) {
  let clock = 1_000_000;
  const windows: [Date, Date][] = [];
  const snapshot = new KpiSnapshot(
    (from, to) => {
      windows.push([from, to]);
      return answers[windows.length - 1]() as Promise<Kpis>;
    },
    () => clock,
  );
  return { snapshot, windows, advance: (ms: number) => (clock += ms) };
}

const group = (orders: number) => ({ channel: 'web', deliveryMode: 'HOME_DELIVERY', orders }) as Kpis['groups'][number];

describe('KpiSnapshot', () => {
  it('shows nothing until the first computation ends, then its figures over the last 24 hours', async () => {
    const { snapshot, windows } = snapshotOver([async () => ({ groups: [group(3)] })]);
    expect(snapshot.current()).toEqual([]);
    await flush();
    expect(snapshot.current()).toEqual([group(3)]);
    expect(windows.map(([from, to]) => to.getTime() - from.getTime())).toEqual([24 * 3600 * 1000]);
  });

  it('computes at most once a minute, and once at a time, however often it is read', async () => {
    let finish: () => void = () => undefined;
    const { snapshot, windows, advance } = snapshotOver([
      () => new Promise((resolve) => (finish = () => resolve({ groups: [group(1)] }))),
      async () => ({ groups: [group(2)] }),
    ]);
    snapshot.current();
    advance(2 * KPI_REFRESH_MS);
    snapshot.current();
    expect(windows).toHaveLength(1);
    finish();
    await flush();
    advance(KPI_REFRESH_MS - 1);
    expect(snapshot.current()).toEqual([group(1)]);
    expect(windows).toHaveLength(1);
    advance(1);
    expect(snapshot.current()).toEqual([group(1)]);
    await flush();
    expect(snapshot.current()).toEqual([group(2)]);
    expect(windows).toHaveLength(2);
  });

  it('keeps the last figures when a computation fails, and waits its minute before the next', async () => {
    const { snapshot, windows, advance } = snapshotOver([async () => ({ groups: [group(1)] }), () => Promise.reject(new Error('database down')), async () => ({ groups: [] })]);
    snapshot.current();
    await flush();
    advance(KPI_REFRESH_MS);
    snapshot.current();
    await flush();
    expect(snapshot.current()).toEqual([group(1)]);
    expect(windows).toHaveLength(2);
    advance(KPI_REFRESH_MS);
    snapshot.current();
    await flush();
    expect(snapshot.current()).toEqual([]);
  });
});
