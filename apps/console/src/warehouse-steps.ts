import { field, h } from './dom';
import type { StepContext } from './fulfillment-page';

const SHORT_REASONS = ['NOT_FOUND', 'DAMAGED'] as const;

/**
 * Line by line: the SKU scanned or typed must be the line's, the quantity found defaults to the
 * one asked, and a short line needs its reason. Enter in a SKU moves on to its quantity, as a scanner sends it.
 */
export function pickForm({ fulfillment, post, refuse }: StepContext): HTMLElement {
  const rows = fulfillment.lines.map((line, index) => {
    const sku = h('input', { name: `sku-${index}`, autocomplete: 'off', inputmode: 'text' });
    const found = h('input', { name: `found-${index}`, type: 'number', min: 0, max: line.quantity, value: line.quantity });
    const reason = h('select', { name: `reason-${index}` }, h('option', { value: '' }, '(not short)'), ...SHORT_REASONS.map((code) => h('option', { value: code }, code)));
    sku.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        found.focus();
        found.select();
      }
    });
    const group = h('fieldset', {}, h('legend', {}, `Line ${index + 1}: ${line.sku} × ${line.quantity}`), field('Scanned SKU', sku), field('Quantity found', found), field('Reason when short', reason));
    return { line, sku, found, reason, group };
  });
  const submit = (event: Event) => {
    event.preventDefault();
    const lines = [];
    for (const { line, sku, found, reason } of rows) {
      const quantity = Number(found.value);
      if (sku.value.trim() !== line.sku) return refuse(`Line ${line.sku}: the scanned SKU "${sku.value.trim()}" is not ${line.sku}.`);
      if (!Number.isInteger(quantity) || quantity < 0 || quantity > line.quantity) return refuse(`Line ${line.sku}: the quantity found must be 0 to ${line.quantity}.`);
      if (quantity < line.quantity && !reason.value) return refuse(`Line ${line.sku}: ${line.quantity - quantity} short, say why (NOT_FOUND or DAMAGED).`);
      lines.push({ sku: line.sku, quantity, ...(quantity < line.quantity ? { reason: reason.value } : {}) });
    }
    void post('pick', { lines }, 'picked');
  };
  return h('form', { 'aria-label': 'Pick', onsubmit: submit }, h('h2', {}, 'Pick'), ...rows.map((row) => row.group), h('button', { type: 'submit', class: 'primary' }, 'Confirm pick'));
}

/** Parcels by weight; more can be added before packing. */
export function packForm({ post, refuse }: StepContext): HTMLElement {
  const parcels = h('div');
  const addParcel = () => parcels.append(field(`Parcel ${parcels.children.length + 1} weight (kg)`, h('input', { type: 'number', step: '0.01', min: '0.01', name: 'weightKg' })));
  addParcel();
  const submit = (event: Event) => {
    event.preventDefault();
    const weights = [...parcels.querySelectorAll('input')].map((input) => Number(input.value));
    if (weights.some((weight) => !(weight > 0))) return refuse('Every parcel needs a weight above 0 kg.');
    void post('pack', { parcels: weights.map((weightKg) => ({ weightKg })) }, 'packed');
  };
  return h(
    'form',
    { 'aria-label': 'Pack', onsubmit: submit },
    h('h2', {}, 'Pack'),
    parcels,
    h('button', { type: 'button', onclick: addParcel }, 'Add a parcel'),
    h('button', { type: 'submit', class: 'primary' }, 'Confirm packing'),
  );
}

export function shipForm({ post, refuse }: StepContext): HTMLElement {
  const carrier = h('input', { name: 'carrier', autocomplete: 'off' });
  const tracking = h('input', { name: 'trackingNumber', autocomplete: 'off' });
  const submit = (event: Event) => {
    event.preventDefault();
    if (!carrier.value.trim() || !tracking.value.trim()) return refuse('Carrier and tracking number are both needed.');
    void post('ship', { carrier: carrier.value.trim(), trackingNumber: tracking.value.trim() }, 'shipped');
  };
  return h('form', { 'aria-label': 'Ship', onsubmit: submit }, h('h2', {}, 'Ship'), field('Carrier', carrier), field('Tracking number', tracking), h('button', { type: 'submit', class: 'primary' }, 'Confirm shipping'));
}
