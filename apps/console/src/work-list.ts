import { answerBox, call } from './api';
import { bySoonestDeadline, deadlineBadge, isOverdue } from './deadline';
import { field, h, locationLinks, optional } from './dom';
import type { Fulfillment } from './fulfillment-types';
import { refreshEvery, replaceKeepingFocus, showScreen } from './screen';
import type { Principal } from './session';

const REFRESH_MS = 10_000;

/** A location's open work, oldest first, and the transfers it is to receive; refreshed every 10 s. */
export function workListScreen(main: HTMLElement, principal: Principal, locationId: string | undefined): void {
  const location = locationId ?? principal.locations?.[0];
  const chosen = h('input', { name: 'location', value: location ?? '', autocomplete: 'off' });
  const open = (event: Event) => {
    event.preventDefault();
    if (chosen.value.trim()) window.location.hash = `#/work/${encodeURIComponent(chosen.value.trim())}`;
  };
  const picker = h('form', { onsubmit: open }, field('Location', chosen), h('button', { type: 'submit' }, 'Show its work'));
  const content = h('div', { 'aria-live': 'polite' });
  showScreen(main, h('h1', {}, location ? `Work at ${location}` : 'Work lists'), picker, ...optional(locationLinks(principal.locations, 'work')), content);
  if (!location) return;
  const load = async () => replaceKeepingFocus(content, ...(await workAt(location)));
  void load();
  refreshEvery(REFRESH_MS, () => void load());
}

async function workAt(locationId: string): Promise<Node[]> {
  const [open, inTransit] = await Promise.all([
    call('GET', 'fulfillment', `/fulfillments?locationId=${encodeURIComponent(locationId)}&open=true`),
    call('GET', 'fulfillment', '/fulfillments?status=IN_TRANSIT'),
  ]);
  if (open.status !== 200) return [answerBox(open, '')];
  const work = open.body as Fulfillment[];
  const toReceive = inTransit.status === 200 ? (inTransit.body as Fulfillment[]).filter((f) => f.kind === 'TRANSFER' && f.destinationLocationId === locationId) : [];
  const counter = work.filter((f) => f.kind === 'PICKUP');
  const reservations = bySoonestDeadline(counter.filter((f) => f.expiresAt));
  const overdue = reservations.filter((f) => isOverdue(f)).length;
  return [
    section('Pick list', work.filter((f) => f.kind !== 'PICKUP'), 'Nothing to pick.'),
    section('Counter: click & collect', counter.filter((f) => !f.expiresAt), 'No click & collect order.'),
    section('Counter: e-reservations', reservations, 'No e-reservation.', overdue ? `${overdue} past the pickup deadline` : undefined),
    section('Transfers to receive', toReceive, 'No transfer on its way.'),
    h('p', {}, `Updated ${new Date().toLocaleTimeString()}`),
  ];
}

function section(title: string, fulfillments: Fulfillment[], empty: string, warning?: string): HTMLElement {
  return h(
    'section',
    { 'aria-label': title },
    h('h2', {}, title),
    warning ? h('p', { class: 'answer refused' }, warning) : null,
    fulfillments.length === 0
      ? h('p', {}, empty)
      : h(
          'ul',
          { class: 'work' },
          ...fulfillments.map((f) =>
            h('li', { class: isOverdue(f) ? 'overdue' : undefined }, h('a', { href: `#/fulfillment/${encodeURIComponent(f.id)}` }, `${f.id} · order ${f.orderId} · ${f.kind} · ${f.status} · ${f.lines.length} line(s)`, f.expiresAt ? ' · ' : null, deadlineBadge(f))),
          ),
        ),
  );
}
