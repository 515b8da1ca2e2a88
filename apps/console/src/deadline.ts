import { h } from './dom';
import type { Fulfillment } from './fulfillment-types';

const HOUR_MS = 3_600_000;

/** E-reservations, the soonest deadline first: the one to prepare or chase next. */
export function bySoonestDeadline(fulfillments: Fulfillment[]): Fulfillment[] {
  return [...fulfillments].sort((a, b) => Date.parse(a.expiresAt!) - Date.parse(b.expiresAt!) || a.id.localeCompare(b.id));
}

export function isOverdue(f: Fulfillment, now = Date.now()): boolean {
  return !!f.expiresAt && Date.parse(f.expiresAt) <= now;
}

/** The pickup deadline in words, "OVERDUE" in text as well as in colour, so that no one needs to see the colour. */
export function deadlineBadge(f: Fulfillment, now = Date.now()): HTMLElement | null {
  if (!f.expiresAt) return null;
  const at = Date.parse(f.expiresAt);
  const when = new Date(at).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
  const hours = Math.abs(at - now) / HOUR_MS;
  const span = hours < 1 ? `${Math.round(hours * 60)} min` : `${Math.round(hours)} h`;
  return isOverdue(f, now)
    ? h('strong', { class: 'deadline overdue', 'data-testid': 'deadline' }, `OVERDUE: pickup deadline ${when} (${span} ago)`)
    : h('span', { class: 'deadline', 'data-testid': 'deadline' }, `pick up by ${when} (in ${span})`);
}
