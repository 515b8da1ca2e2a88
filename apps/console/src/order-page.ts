import { answerBox, call } from './api';
import { h, table } from './dom';
import { attentionForms } from './attention-actions';
import { attentionNotice, cancelForm, outcomeBox, type Outcome } from './order-actions';
import { pageConfig, traceLink } from './page-config';
import { currentNavigation, showScreen } from './screen';

interface Candidate {
  locationId: string;
  cost?: number;
  distanceKm?: number;
  covers?: string[];
  chosen?: true;
  filteredOut?: string;
}
interface RoutingRecord {
  at: string;
  cause?: string;
  outcome: string;
  explanation?: { reason?: string; policy?: string; candidates?: Candidate[] };
}

/**
 * An order: status (and why it needs attention), its trace, lines, allocations, timeline, every
 * routing decision with its candidates, the cancel action and, in NEEDS_ATTENTION, retry and release;
 * `outcome` is the answer to an action just asked.
 */
export async function orderScreen(main: HTMLElement, id: string, outcome?: Outcome, navigation = currentNavigation()): Promise<void> {
  if (!outcome) showScreen(main, h('p', {}, `Loading order ${id}…`));
  const answer = await call('GET', 'orders', `/orders/${encodeURIComponent(id)}`);
  // The user went elsewhere (or signed out) while the order was read.
  if (navigation !== currentNavigation()) return;
  if (answer.status !== 200) return showScreen(main, h('h1', {}, `Order ${id}`), answerBox(answer, ''), h('a', { href: '#/order' }, 'Find another order'));
  const order = answer.body;
  const trace = order.traceId ? traceLink(await pageConfig(), order.traceId) : undefined;
  if (navigation !== currentNavigation()) return;
  const attention = attentionNotice(order.status, order.timeline ?? []);
  const again = (next: Outcome) => void orderScreen(main, id, next, navigation);
  const cancel = cancelForm(order.orderId, order.status, again);
  showScreen(
    main,
    h('h1', {}, `Order ${order.orderId}`),
    h('div', { 'aria-live': 'assertive' }, outcome ? outcomeBox(outcome) : null),
    h('p', {}, 'Status ', h('strong', { 'data-testid': 'order-status' }, order.status), ` · ${order.channel} · ${order.deliveryMode}${order.pickupLocationId ? ` at ${order.pickupLocationId}` : ''}`),
    ...(attention ? [attention] : []),
    ...(trace ? [h('p', {}, h('a', { href: trace, target: '_blank', rel: 'noopener noreferrer' }, 'Trace'), ` of the order's journey across the services (${order.traceId})`)] : []),
    table(['Line', 'SKU', 'Quantity', 'Unit price'], (order.lines ?? []).map((l: any) => [l.lineId, l.sku, l.quantity, `${l.unitPrice} ${order.currency ?? ''}`]), 'Lines'),
    table(
      ['Location', 'Kind', 'Lines', 'Reservation', 'Fulfillment'],
      // Every part, the given-up ones too (their state says so): customer service sees where the order went.
      (order.allocationHistory ?? order.allocations ?? []).map((a: any) => [a.locationId, a.kind, (a.lines ?? []).map((l: any) => `${l.sku} × ${l.quantity}`).join(', '), a.state ?? a.reservationId ?? '–', a.fulfillmentId ? h('a', { href: `#/fulfillment/${encodeURIComponent(a.fulfillmentId)}` }, a.fulfillmentId) : '–']),
      'Allocations',
    ),
    table(['At', 'From', 'To', 'Cause'], (order.timeline ?? []).map((t: any) => [t.at, t.from ?? '–', t.to, t.cause ?? '']), 'Timeline'),
    h('h2', {}, 'Routing'),
    ...(order.routing ?? []).map((decision: RoutingRecord, index: number) => routingDecision(decision, index)),
    ...attentionForms(order.orderId, order.status, again),
    ...(cancel ? [cancel] : []),
  );
}

function routingDecision(decision: RoutingRecord, index: number): HTMLElement {
  const candidates = decision.explanation?.candidates ?? [];
  return h(
    'details',
    { class: 'card', open: index === 0 },
    h('summary', {}, `Decision ${index + 1}: ${decision.outcome}${decision.cause ? ` (${decision.cause})` : ''} at ${decision.at}`),
    h('p', {}, 'Why: ', decision.explanation?.reason ?? '–'),
    table(
      ['Location', 'Cost', 'Distance (km)', 'Covers', 'Chosen', 'Filtered out'],
      candidates.map((c) => ({
        cells: [c.locationId, c.cost ?? '–', c.distanceKm ?? '–', c.covers?.join(', ') ?? '–', c.chosen ? 'chosen' : '', c.filteredOut ?? ''],
        className: c.chosen ? 'chosen' : undefined,
      })),
      'Candidates',
    ),
  );
}
