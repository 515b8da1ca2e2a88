import { call, refusalBox } from './api';
import { field, h } from './dom';
import type { Outcome } from './order-actions';

/** A form that sends one attention action, with a reason when the action asks for one. */
function actionForm(title: string, explanation: string, send: (reason?: string) => Promise<Outcome>, done: (outcome: Outcome) => void, reasonLabel?: string, missing?: string): HTMLElement {
  const reason = reasonLabel ? h('input', { name: `${title.toLowerCase().replace(/\W+/g, '-')}-reason`, autocomplete: 'off', maxlength: 500 }) : undefined;
  const answer = h('div', { 'aria-live': 'assertive' });
  const submit = async (event: Event) => {
    event.preventDefault();
    if (reason && !reason.value.trim()) return void answer.replaceChildren(refusalBox(missing!));
    done(await send(reason?.value.trim()));
  };
  return h(
    'form',
    { onsubmit: (event: Event) => void submit(event), 'aria-label': title, class: 'card' },
    h('h2', {}, title),
    h('p', {}, explanation),
    ...(reason ? [field(reasonLabel!, reason)] : []),
    h('button', { type: 'submit' }, title),
    answer,
  );
}

/**
 * The ways out of NEEDS_ATTENTION besides cancelling: send again what the order gave up waiting
 * for (POST …/attention/retry), release the stock of parts it no longer wants once a person has
 * checked that the goods did not leave (…/release), or say the to-do is done (…/resolve). The
 * service decides whether they apply; its 409 says why not.
 */
export function attentionForms(orderId: string, status: string, done: (outcome: Outcome) => void): HTMLElement[] {
  if (status !== 'NEEDS_ATTENTION') return [];
  const send = (action: string, doneText: string) => async (reason?: string) => ({
    answer: await call('POST', 'orders', `/orders/${encodeURIComponent(orderId)}/attention/${action}`, reason === undefined ? undefined : { reason }),
    done: doneText,
  });
  return [
    actionForm(
      'Retry the step',
      'Sends again every command the order gave up waiting for, with fresh attempts; the order goes back to its earlier status.',
      send('retry', 'sent again: the order is back where it was and waits for the answers'),
      done,
    ),
    actionForm(
      'Release the stock',
      'Once you have checked that the goods did not leave: releases the stock still held for parts the order no longer wants. Never what has left.',
      send('release', 'released: the stock goes back to inventory and the order is back where it was'),
      done,
      'What you checked',
      'Say what you checked: that the goods did not leave.',
    ),
    actionForm(
      'Mark as resolved',
      'Once you have done what the order asked (a parcel recovered, a sale settled at the till): the order goes back to its earlier status, and an edit that waited on it goes on.',
      send('resolve', 'resolved: the order is back where it was'),
      done,
      'What you did',
      'Say what you did about it.',
    ),
  ];
}
