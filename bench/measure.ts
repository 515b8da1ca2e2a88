import { cpus, loadavg, totalmem } from 'node:os';

/** The p-th percentile of ascending `sorted` values (nearest rank); undefined when there are none. */
export const percentile = (sorted: number[], p: number): number | undefined => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** A numeric knob from the environment, `fallback` when unset or empty. */
export function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw}: expected a number ≥ 0`);
  return value;
}

/** An on/off knob: `off`, `0` and `false` turn it off. */
export const enabled = (name: string, fallback = true): boolean => {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : !['off', '0', 'false'].includes(raw.toLowerCase());
};

/** Cores, memory and Node, then the load average when `start` was taken and now: figures move with it. */
export function describeMachine(loadAtStart: number[]): string {
  const load = (figures: number[]) => figures.map((n) => n.toFixed(1)).join(' ');
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${load(loadAtStart)} at the start, ${load(loadavg())} at the end`;
}

/** The BENCH_ settings of this run, as they go before the command that reproduces it. */
export const benchSettings = (): string =>
  Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value} `)
    .join('');

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** `n` rounded for a table: no decimals from 100 up, two significant digits below. */
export const round = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '–' : n >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(2))));
