import { answerBox, call } from './api';
import { field, h, table } from './dom';
import { showScreen } from './screen';

/** A SKU's stock at every location, with what is available to promise. */
export async function stockScreen(main: HTMLElement, sku: string | undefined): Promise<void> {
  const input = h('input', { name: 'sku', autocomplete: 'off', value: sku ?? '' });
  const open = (event: Event) => {
    event.preventDefault();
    if (input.value.trim()) window.location.hash = `#/stock/${encodeURIComponent(input.value.trim())}`;
  };
  const result = h('div', { 'aria-live': 'polite' });
  showScreen(main, h('h1', {}, 'Stock'), h('form', { onsubmit: open }, field('SKU', input), h('button', { type: 'submit', class: 'primary' }, 'Look up')), result);
  if (!sku) return input.focus();
  const answer = await call('GET', 'inventory', `/stock/${encodeURIComponent(sku)}`);
  if (answer.status !== 200) return void result.replaceChildren(answerBox(answer, ''));
  const rows = answer.body as { locationId: string; onHand: number; reserved: number; safetyStock: number; atp: number }[];
  const total = rows.reduce((sum, row) => sum + row.atp, 0);
  result.replaceChildren(
    rows.length === 0 ? h('p', {}, `No location holds ${sku}.`) : table(['Location', 'On hand', 'Reserved', 'Safety stock', 'ATP'], rows.map((r) => [r.locationId, r.onHand, r.reserved, r.safetyStock, r.atp]), `${sku}: ${total} available to promise`),
  );
}
