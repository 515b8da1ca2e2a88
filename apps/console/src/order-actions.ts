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
