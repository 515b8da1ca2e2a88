import { answerBox, call, refusalBox, type Answer } from './api';
import { field, h } from './dom';
import { NOT_CANCELLABLE } from './order-types';

interface TimelineStep {
  to: string;
  cause?: string;
  at: string;
}

/** Why an order needs attention: the cause of its last step into NEEDS_ATTENTION, as the timeline keeps it. */
export function attentionNotice(status: string, timeline: TimelineStep[]): HTMLElement | null {
  if (status !== 'NEEDS_ATTENTION') return null;
  const step = [...timeline].reverse().find((candidate) => candidate.to === 'NEEDS_ATTENTION');
  return h('div', { class: 'answer refused', role: 'note', 'data-testid': 'attention' }, h('strong', {}, 'Needs attention: '), step?.cause ?? 'no cause recorded', step ? ` (since ${step.at})` : '');
}

/**
 * Cancel the order (POST /orders/{id}/cancel) with a reason; `done` shows the order again with
 * the service's answer. Not offered where the contract refuses it whatever happens.
 */
export function cancelForm(orderId: string, status: string, done: (outcome: Outcome) => void): HTMLElement | null {
  if (NOT_CANCELLABLE.includes(status)) return null;
  const reason = h('input', { name: 'reason', autocomplete: 'off', maxlength: 500 });
  const answer = h('div', { 'aria-live': 'assertive' });
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!reason.value.trim()) return void answer.replaceChildren(refusalBox('Say why the order is cancelled.'));
    done(cancelOutcome(await call('POST', 'orders', `/orders/${encodeURIComponent(orderId)}/cancel`, { reason: reason.value.trim() })));
  };
  return h(
    'form',
    { onsubmit: (event: Event) => void submit(event), 'aria-label': 'Cancel the order', class: 'card' },
    h('h2', {}, 'Cancel the order'),
    h('p', {}, 'Releases its stock and calls off its fulfillments; refused once a part has shipped or been collected.'),
    field('Reason for cancelling', reason),
    h('button', { type: 'submit' }, 'Cancel the order'),
    answer,
  );
}

/** The service's answer to an action on the order page, and what it did when it was accepted. */
export interface Outcome {
  answer: Answer;
  done: string;
}

/** The service's answer, in words. */
export const outcomeBox = ({ answer, done }: Outcome) => answerBox(answer, done);

const CANCELLED = 'cancelled: its stock is released and its fulfillments called off';

/** Cancel's outcome, for `cancelForm`'s `done`. */
export const cancelOutcome = (answer: Answer): Outcome => ({ answer, done: CANCELLED });

/**
 * The ways out of NEEDS_ATTENTION besides cancelling: send again what the order gave up waiting
 * for (POST …/attention/retry), or release the stock of parts it no longer wants once a person has
 * checked that the goods did not leave (POST …/attention/release, with a reason). The service
 * decides whether they apply; its 409 says why not.
 */
export function attentionForms(orderId: string, status: string, done: (outcome: Outcome) => void): HTMLElement[] {
  if (status !== 'NEEDS_ATTENTION') return [];
  const path = (action: string) => `/orders/${encodeURIComponent(orderId)}/attention/${action}`;
  const retry = async (event: Event) => {
    event.preventDefault();
    done({ answer: await call('POST', 'orders', path('retry')), done: 'sent again: the order is back where it was and waits for the answers' });
  };
  const reason = h('input', { name: 'release-reason', autocomplete: 'off', maxlength: 500 });
  const answer = h('div', { 'aria-live': 'assertive' });
  const release = async (event: Event) => {
    event.preventDefault();
    if (!reason.value.trim()) return void answer.replaceChildren(refusalBox('Say what you checked: that the goods did not leave.'));
    done({ answer: await call('POST', 'orders', path('release'), { reason: reason.value.trim() }), done: 'released: the stock goes back to inventory and the order is back where it was' });
  };
  return [
    h(
      'form',
      { onsubmit: (event: Event) => void retry(event), 'aria-label': 'Retry the step', class: 'card' },
      h('h2', {}, 'Retry the step'),
      h('p', {}, 'Sends again every command the order gave up waiting for, with fresh attempts; the order goes back to its earlier status.'),
      h('button', { type: 'submit' }, 'Retry the step'),
    ),
    h(
      'form',
      { onsubmit: (event: Event) => void release(event), 'aria-label': 'Release the stock', class: 'card' },
      h('h2', {}, 'Release the stock'),
      h('p', {}, 'Once you have checked that the goods did not leave: releases the stock still held for parts the order no longer wants. Never what has left.'),
      field('What you checked', reason),
      h('button', { type: 'submit' }, 'Release the stock'),
      answer,
    ),
  ];
}
