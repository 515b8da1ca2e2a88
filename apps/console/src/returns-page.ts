import { answerBox, call, refusalBox } from './api';
import { field, h, locationLinks, optional } from './dom';
import { receiptForm, type ReceiptContext, type Return } from './return-receipt';
import { editsIn, refreshEvery, showScreen } from './screen';
import { takesSteps, type Principal } from './session';

/** The returns expected at a location, each received line by line with its condition; a walk-in's return found by id. */
export function returnsScreen(main: HTMLElement, principal: Principal, locationId: string | undefined): void {
  const location = locationId ?? principal.locations?.[0];
  const chosen = h('input', { name: 'location', value: location ?? '', autocomplete: 'off' });
  const open = (event: Event) => {
    event.preventDefault();
    if (chosen.value.trim()) window.location.hash = `#/returns/${encodeURIComponent(chosen.value.trim())}`;
  };
  const picker = h('form', { onsubmit: open }, field('Location', chosen), h('button', { type: 'submit' }, 'Show its returns'));
  const answers = h('div', { 'aria-live': 'polite' });
  const content = h('div');
  showScreen(main, h('h1', {}, location ? `Returns at ${location}` : 'Returns'), picker, ...optional(locationLinks(principal.locations, 'returns')), answers, content);
  if (!location) return;

  const show = (node: HTMLElement) => answers.replaceChildren(node);
  const receive = async (ret: Return, lines: unknown[]) => {
    const answer = await call('POST', 'returns', `/returns/${encodeURIComponent(ret.id)}/receive`, { locationId: location, lines });
    const refund = answer.body?.refund;
    show(answerBox(answer, `return ${ret.id} received, ${answer.body?.status}${refund ? `, refund ${refund.amount} ${refund.currency}` : ''}`));
    await load();
  };
  const context: ReceiptContext = { receive, refuse: (why: string) => show(refusalBox(why)) };
  const walkIn = walkInForm(context);
  const list = h('section', { 'aria-label': 'Returns to receive' });
  content.replaceChildren(walkIn, list);

  const typing = editsIn(list);
  const load = async (background = false) => {
    // A refresh must not wipe what the user is typing, before the read or during it.
    if (background && typing.edited()) return;
    const answer = await call('GET', 'returns', `/returns?locationId=${encodeURIComponent(location)}&status=REQUESTED`);
    if (background && typing.edited()) return;
    typing.reset();
    if (answer.status !== 200) return void list.replaceChildren(h('h2', {}, 'Returns to receive'), answerBox(answer, ''));
    const expected = answer.body as Return[];
    list.replaceChildren(
      h('h2', {}, 'Returns to receive'),
      expected.length === 0 ? h('p', {}, 'No return expected here.') : h('div', {}, ...expected.map((ret) => (takesSteps(principal) ? receiptForm(ret, context) : returnCard(ret)))),
      h('p', {}, `Updated ${new Date().toLocaleTimeString()}`),
    );
  };
  void load();
  refreshEvery(10_000, () => void load(true));
}

/** A return as ops see it: staff of the location receive it. */
function returnCard(ret: Return): HTMLElement {
  return h('div', { class: 'card' }, h('h3', {}, `Return ${ret.id}`), h('p', {}, `Order ${ret.orderId}: ${ret.lines.map((line) => `${line.sku} × ${line.quantity}`).join(', ')}; staff of the location receive it.`));
}

/** A customer at the counter with a return announced elsewhere (or nowhere): found by its id. */
function walkInForm(context: ReceiptContext): HTMLElement {
  const id = h('input', { name: 'returnId', autocomplete: 'off' });
  const found = h('div');
  // Once received, the walk-in's form goes: its answer stays above.
  const receiveThenClear: ReceiptContext = { ...context, receive: async (ret, lines) => void (await context.receive(ret, lines), found.replaceChildren()) };
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!id.value.trim()) return context.refuse('Type the return id the customer shows.');
    const answer = await call('GET', 'returns', `/returns/${encodeURIComponent(id.value.trim())}`);
    if (answer.status !== 200) return void found.replaceChildren(answerBox(answer, ''));
    const ret = answer.body as Return;
    found.replaceChildren(ret.status === 'REQUESTED' ? receiptForm(ret, receiveThenClear) : h('p', { class: 'card' }, `Return ${ret.id} of order ${ret.orderId} is ${ret.status}: nothing to receive.`));
  };
  // The return found comes after the search form, not inside it: its receipt is a form of its own.
  return h('div', {}, h('form', { 'aria-label': 'Find a return', onsubmit: submit }, field('Return id', id), h('button', { type: 'submit' }, 'Find')), found);
}
