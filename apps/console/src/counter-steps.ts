import { field, h } from './dom';
import type { StepContext } from './fulfillment-page';
import { pickForm } from './warehouse-steps';

/** At the counter: a click & collect order made ready and handed over, a transfer received. */
export function counterSteps(context: StepContext): Node[] {
  const { kind, status } = context.fulfillment;
  if (kind === 'TRANSFER') return [h('button', { type: 'button', class: 'primary', onclick: () => void context.post('receive', {}, 'received') }, 'Receive the transfer')];
  const ready = h('button', { type: 'button', class: 'primary', onclick: () => void context.post('ready', {}, 'ready for pickup') }, 'Mark ready for pickup');
  if (status === 'CREATED') return [pickForm(context), h('h2', {}, 'Counter'), ready];
  if (status === 'PICKED') return [ready];
  if (status === 'READY_FOR_PICKUP') return [handOverForm(context)];
  return [h('p', {}, 'No step left here.')];
}

/** The customer gives their order id: a wrong one is refused here, before any call. */
function handOverForm({ fulfillment, post, refuse }: StepContext): HTMLElement {
  const orderId = h('input', { name: 'orderId', autocomplete: 'off' });
  const submit = (event: Event) => {
    event.preventDefault();
    if (orderId.value.trim() !== fulfillment.orderId) return refuse(`The order id "${orderId.value.trim()}" is not this parcel's order: do not hand it over.`);
    void post('collect', {}, 'handed over to the customer');
  };
  return h('form', { 'aria-label': 'Hand over', onsubmit: submit }, h('h2', {}, 'Hand over'), field("Customer's order id", orderId), h('button', { type: 'submit', class: 'primary' }, 'Hand over'));
}
