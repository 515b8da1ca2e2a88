import { answerBox, call, refusalBox } from './api';
import { field, h, table } from './dom';
import { showScreen } from './screen';
import { chart, type Series } from './svg-chart';

const HOUR_MS = 3_600_000;
type Bucket = 'hour' | 'day';
/** Ready-made periods, each with the bucket that gives a readable number of points. */
const PRESETS: Record<string, { name: string; hours: number; bucket: Bucket }> = {
  '24h': { name: 'Last 24 hours, per hour', hours: 24, bucket: 'hour' },
  '7d': { name: 'Last 7 days, per day', hours: 7 * 24, bucket: 'day' },
  '30d': { name: 'Last 30 days, per day', hours: 30 * 24, bucket: 'day' },
  custom: { name: 'From and to below', hours: 0, bucket: 'day' },
};

type Figures = Record<string, number | null>;
interface Kpis {
  from: string;
  to: string;
  total: Figures;
  buckets: ({ from: string; to: string } & Figures)[];
}

const percent = (value: number) => `${Math.round(value * 1000) / 10} %`;
const number = (unit: string) => (value: number) => `${Math.round(value * 10) / 10} ${unit}`;
/** The figures charted, in the order ops read them (docs/contract.md, GET /kpis). */
const CHARTED: [key: string, title: string, format: (value: number) => string, kind: Series['kind']][] = [
  ['orders', 'Orders', number('orders'), 'bars'],
  ['fillRate', 'Fill rate', percent, 'line'],
  ['backorderRate', 'Backorder rate', percent, 'line'],
  ['splitRate', 'Split rate', percent, 'line'],
  ['averageDistanceKm', 'Average distance', number('km'), 'line'],
  ['cancellationRate', 'Cancellation rate', percent, 'line'],
  ['eReservationConversion', 'E-reservation conversion', percent, 'line'],
  ['returnRate', 'Return rate', percent, 'line'],
];

/** The order KPIs of a chosen period as charts, each with its figures in a table. */
export function kpisScreen(main: HTMLElement): void {
  const preset = h('select', { name: 'period' }, ...Object.entries(PRESETS).map(([value, { name }]) => h('option', { value }, name)));
  const from = h('input', { name: 'from', type: 'datetime-local' });
  const to = h('input', { name: 'to', type: 'datetime-local' });
  const bucket = h('select', { name: 'bucket' }, h('option', { value: 'hour' }, 'per hour'), h('option', { value: 'day' }, 'per day'));
  const result = h('div', { 'aria-live': 'polite' });
  const show = async (event?: Event) => {
    event?.preventDefault();
    const chosen = PRESETS[preset.value];
    // One reading of the clock: a millisecond between from and to would make a 25th hour.
    const now = Date.now();
    const period = chosen.hours ? { from: new Date(now - chosen.hours * HOUR_MS), to: new Date(now), bucket: chosen.bucket } : { from: new Date(from.value), to: new Date(to.value), bucket: bucket.value as Bucket };
    if (Number.isNaN(period.from.getTime()) || Number.isNaN(period.to.getTime())) return void result.replaceChildren(refusalBox('Give both the start and the end of the period.'));
    result.replaceChildren(h('p', {}, 'Loading…'));
    const query = `from=${encodeURIComponent(period.from.toISOString())}&to=${encodeURIComponent(period.to.toISOString())}&bucket=${period.bucket}`;
    const answer = await call('GET', 'orders', `/kpis?${query}`);
    if (answer.status !== 200) return void result.replaceChildren(answerBox(answer, ''));
    result.replaceChildren(...figures(answer.body as Kpis, period.bucket));
  };
  const form = h(
    'form',
    { 'aria-label': 'Choose a period', onsubmit: show },
    field('Period', preset),
    h('fieldset', {}, h('legend', {}, 'Custom period'), field('From', from), field('To', to), field('Points', bucket)),
    h('button', { type: 'submit', class: 'primary' }, 'Show'),
  );
  showScreen(main, h('h1', {}, 'KPIs'), form, result);
  void show();
}

function figures(kpis: Kpis, bucket: Bucket): Node[] {
  const label = (iso: string) => new Date(iso).toLocaleString([], bucket === 'hour' ? { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short' });
  const totals = CHARTED.map(([key, title, format]) => [title, kpis.total[key] === null ? '–' : format(kpis.total[key]!)]);
  return [
    h('h2', {}, `${label(kpis.from)} to ${label(kpis.to)}`),
    table(['Figure', 'Whole period'], totals, 'Whole period'),
    ...CHARTED.map(([key, title, format, kind]) => chart({ title, format, kind, points: kpis.buckets.map((b) => ({ label: label(b.from), value: b[key] })) })),
  ];
}
