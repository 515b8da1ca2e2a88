import { h, table } from './dom';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 360;
const HEIGHT = 150;
const PAD = { left: 44, right: 8, top: 10, bottom: 24 };

export interface Series {
  title: string;
  /** How a value reads: "12 orders", "87.5 %". */
  format: (value: number) => string;
  /** One point per bucket; null where the bucket had nothing to count (a gap, not a zero). */
  points: { label: string; value: number | null }[];
  kind: 'bars' | 'line';
}

function svg(tag: string, attributes: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/**
 * An inline SVG chart with its text alternative: the image is named by its title and summed up in
 * its description, and the figures themselves are in a table below it for screen readers and keyboards.
 */
export function chart(series: Series): HTMLElement {
  const id = `chart-${Math.random().toString(36).slice(2, 10)}`;
  const known = series.points.filter((point): point is { label: string; value: number } => point.value !== null);
  const max = Math.max(0, ...known.map((point) => point.value)) || 1;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = plotWidth / Math.max(1, series.points.length);
  const x = (index: number) => PAD.left + step * index + step / 2;
  const y = (value: number) => PAD.top + plotHeight * (1 - value / max);

  const marks: SVGElement[] = [];
  if (series.kind === 'bars') {
    series.points.forEach((point, index) => {
      if (point.value) marks.push(svg('rect', { x: x(index) - step * 0.4, y: y(point.value), width: step * 0.8, height: PAD.top + plotHeight - y(point.value), fill: '#20323f' }));
    });
  } else {
    // A line broken where a bucket had no value, with a dot on every known point.
    let path = '';
    series.points.forEach((point, index) => {
      if (point.value === null) return;
      const previous = series.points[index - 1];
      path += `${previous && previous.value !== null ? 'L' : 'M'}${x(index).toFixed(1)} ${y(point.value).toFixed(1)} `;
      marks.push(svg('circle', { cx: x(index), cy: y(point.value), r: 2.5, fill: '#20323f' }));
    });
    if (path) marks.unshift(svg('path', { d: path.trim(), fill: 'none', stroke: '#20323f', 'stroke-width': 2 }));
  }
  const first = series.points[0]?.label ?? '';
  const last = series.points[series.points.length - 1]?.label ?? '';
  const summary = known.length
    ? `${series.points.length} periods from ${first} to ${last}; highest ${series.format(max)}, lowest ${series.format(Math.min(...known.map((point) => point.value)))}; ${series.points.length - known.length} without a value.`
    : `No value in the ${series.points.length} periods from ${first} to ${last}.`;

  const image = svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: 'chart', preserveAspectRatio: 'xMidYMid meet' },
    svg('title', { id: `${id}-title` }, series.title),
    svg('desc', { id: `${id}-desc` }, summary),
    svg('line', { x1: PAD.left, y1: PAD.top + plotHeight, x2: WIDTH - PAD.right, y2: PAD.top + plotHeight, stroke: '#555' }),
    svg('text', { x: PAD.left - 4, y: PAD.top + 8, 'text-anchor': 'end', 'font-size': 10, fill: '#1a1a1a' }, series.format(max)),
    svg('text', { x: PAD.left - 4, y: PAD.top + plotHeight, 'text-anchor': 'end', 'font-size': 10, fill: '#1a1a1a' }, series.format(0)),
    svg('text', { x: PAD.left, y: HEIGHT - 6, 'font-size': 10, fill: '#1a1a1a' }, first),
    svg('text', { x: WIDTH - PAD.right, y: HEIGHT - 6, 'text-anchor': 'end', 'font-size': 10, fill: '#1a1a1a' }, last),
    ...marks,
  );
  return h(
    'figure',
    { class: 'card' },
    h('figcaption', {}, h('strong', {}, series.title)),
    image,
    h('details', {}, h('summary', {}, `${series.title}: the figures`), table(['Period from', series.title], series.points.map((point) => [point.label, point.value === null ? '–' : series.format(point.value)]), series.title)),
  );
}
