import { answerBox, call } from './api';
import { field, h, table } from './dom';
import { ORDER_STATUSES, type OrderSummary } from './order-types';
import { showScreen } from './screen';

const PAGE_SIZE = 20;

/** Open an order by id, or search by customer, channel and status a page at a time (GET /orders and its cursor). */
export function orderSearchScreen(main: HTMLElement): void {
  const id = h('input', { name: 'orderId', autocomplete: 'off' });
  const open = (event: Event) => {
    event.preventDefault();
    if (id.value.trim()) window.location.hash = `#/order/${encodeURIComponent(id.value.trim())}`;
  };
  const customer = h('input', { name: 'customerId', autocomplete: 'off' });
  const channel = h('input', { name: 'channel', autocomplete: 'off' });
  const status = h('select', { name: 'status' }, h('option', { value: '' }, 'Any status'), ...ORDER_STATUSES.map((name) => h('option', { value: name }, name)));
  const results = h('div', { 'aria-live': 'polite' });

  let filters = new URLSearchParams();
  let page = 1;
  const show = async (cursor?: string) => {
    const query = new URLSearchParams(filters);
    query.set('limit', String(PAGE_SIZE));
    if (cursor) query.set('cursor', cursor);
    const answer = await call('GET', 'orders', `/orders?${query}`);
    if (answer.status !== 200) return void results.replaceChildren(answerBox(answer, ''));
    const next = answer.nextCursor;
    const more = async () => {
      page += 1;
      await show(next);
      // The button pressed is gone: keyboard users go on from the new page's first order.
      results.querySelector<HTMLElement>('table a, button')?.focus();
    };
    results.replaceChildren(...ordersTable(answer.body as OrderSummary[], page), ...(next ? [h('button', { type: 'button', onclick: () => void more() }, 'Next page')] : [h('p', {}, 'No more orders.')]));
  };
  const search = (event: Event) => {
    event.preventDefault();
    filters = new URLSearchParams(
      Object.entries({ customerId: customer.value.trim(), channel: channel.value.trim(), status: status.value }).filter(([, value]) => value !== ''),
    );
    page = 1;
    if ([...filters].length === 0) return void results.replaceChildren(h('div', { class: 'answer refused', role: 'alert' }, 'Give a customer id, a channel or a status.'));
    void show();
  };
  const needingAttention = () => {
    customer.value = '';
    channel.value = '';
    status.value = 'NEEDS_ATTENTION';
    search(new Event('submit'));
  };

  showScreen(
    main,
    h('h1', {}, 'Orders'),
    h('form', { onsubmit: open, 'aria-label': 'Open an order' }, field('Order id', id), h('button', { type: 'submit', class: 'primary' }, 'Open')),
    h(
      'form',
      { onsubmit: search, 'aria-label': 'Search orders' },
      h('h2', {}, 'Search'),
      field('Customer id', customer),
      field('Channel', channel),
      field('Status', status),
      h('button', { type: 'submit', class: 'primary' }, 'Search'),
      h('button', { type: 'button', onclick: needingAttention }, 'Orders needing attention'),
    ),
    results,
  );
  id.focus();
}

function ordersTable(orders: OrderSummary[], page: number): Node[] {
  if (!orders.length) return [h('p', {}, page === 1 ? 'No order matches.' : 'No more orders.')];
  return [
    table(
      ['Order', 'Status', 'Channel', 'Delivery', 'Placed at'],
      orders.map((order) => [h('a', { href: `#/order/${encodeURIComponent(order.orderId)}` }, order.orderId), order.status, order.channel ?? '–', order.deliveryMode ?? '–', order.placedAt ?? '–']),
      `Orders, page ${page}`,
    ),
  ];
}
