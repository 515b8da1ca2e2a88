import { answerBox, call, type Answer } from './api';
import { h, table } from './dom';
import type { Fulfillment } from './fulfillment-types';
import { counterSteps } from './counter-steps';
import { deadlineBadge } from './deadline';
import { packForm, pickForm, shipForm } from './warehouse-steps';
import { editsIn, refreshEvery, showScreen } from './screen';
import { takesSteps, type Principal } from './session';

/** What a step form needs: the fulfillment, and a way to post the step and show its answer. */
export interface StepContext {
  fulfillment: Fulfillment;
  post: (step: string, body: unknown, done: string) => Promise<void>;
  /** Shows the console's own refusal (nothing was sent). */
  refuse: (why: string) => void;
}

/** One fulfillment: its lines and history, and the forms of the steps its state allows. */
export function fulfillmentScreen(main: HTMLElement, principal: Principal, id: string): void {
  // Focused after a step, so that a keyboard user goes on from its answer, not from the top.
  const answers = h('div', { 'aria-live': 'polite', tabindex: -1 });
  const content = h('div');
  const back = h('a', { href: '#/work' }, '← Work list');
  showScreen(main, back, h('h1', {}, `Fulfillment ${id}`), answers, content);

  const base = `/fulfillments/${encodeURIComponent(id)}`;
  const show = (answer: Answer | HTMLElement, done = '') => answers.replaceChildren(answer instanceof HTMLElement ? answer : answerBox(answer, done));
  const typing = editsIn(content);
  const load = async (background = false) => {
    // A refresh must not wipe what the user is typing, before the read or during it.
    if (background && typing.edited()) return;
    const answer = await call('GET', 'fulfillment', base);
    if (background && typing.edited()) return;
    typing.reset();
    if (answer.status !== 200) return content.replaceChildren(answerBox(answer, ''));
    const fulfillment = answer.body as Fulfillment;
    if (fulfillment.locationId) back.href = `#/work/${encodeURIComponent(fulfillment.locationId)}`;
    const context: StepContext = {
      fulfillment,
      post: async (step, body, done) => {
        show(await call('POST', 'fulfillment', `${base}/${step}`, body), done);
        await load();
        answers.focus();
      },
      refuse: (why) => show(h('div', { class: 'answer refused', role: 'alert' }, why)),
    };
    content.replaceChildren(summary(fulfillment), ...(takesSteps(principal) ? steps(context) : [h('p', {}, 'Staff of the location take its steps.')]));
  };
  void load();
  refreshEvery(10_000, () => void load(true));
}

function summary(f: Fulfillment): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('p', {}, `Order ${f.orderId} · ${f.kind} at ${f.locationId}${f.destinationLocationId ? ` → ${f.destinationLocationId}` : ''} · `, h('strong', { 'data-testid': 'status' }, f.status)),
    f.expiresAt && !['COLLECTED', 'CANCELLED'].includes(f.status) ? h('p', {}, 'E-reservation: ', deadlineBadge(f)) : null,
    table(['SKU', 'Quantity', 'Picked'], f.lines.map((line) => [line.sku, line.quantity, line.picked ?? '–']), 'Lines'),
    f.shortLines?.length ? h('p', {}, `Short: ${f.shortLines.map((s) => `${s.sku} ${s.missing} missing (${s.reason})`).join(', ')}`) : null,
    f.carrier ? h('p', {}, `Shipped with ${f.carrier}, tracking ${f.trackingNumber}`) : null,
    f.history?.length ? h('details', {}, h('summary', {}, 'History'), h('ol', {}, ...f.history.map((step) => h('li', {}, `${step.at} ${step.status}${step.detail ? `: ${step.detail}` : ''}`)))) : null,
  );
}

function steps(context: StepContext): Node[] {
  const { kind, status } = context.fulfillment;
  if (kind === 'PICKUP' || (kind === 'TRANSFER' && status === 'IN_TRANSIT')) return counterSteps(context);
  if (status === 'CREATED') return [pickForm(context)];
  if (status === 'PICKED') return [packForm(context)];
  if (status === 'PACKED') return [shipForm(context)];
  if (status === 'SHIPPED' && kind === 'SHIP') return [h('button', { type: 'button', onclick: () => void context.post('deliver', {}, 'delivered') }, 'Mark delivered')];
  return [h('p', {}, 'No step left here.')];
}
