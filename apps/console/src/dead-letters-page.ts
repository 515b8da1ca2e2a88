import { answerBox, call, type Answer } from './api';
import { h, table } from './dom';
import { currentNavigation, showScreen } from './screen';

/** A dead letter as the orchestrator lists it (GET /dead-letters). */
interface DeadLetter {
  id: string;
  originalTopic: string;
  key: string | null;
  consumer: string;
  reason: string;
  rejectedAt: string;
  redrivenAt: string | null;
  redrivenBy: string | null;
}

/** The messages the services could not accept, newest first, each with its reason and a Re-send action; `answer` is the last re-send's. */
export async function deadLettersScreen(main: HTMLElement, answer?: { id: string; outcome: Answer }, navigation = currentNavigation()): Promise<void> {
  if (!answer) showScreen(main, h('h1', {}, 'Dead letters'), h('p', {}, 'Reading fil.dlq.v1…'));
  const listed = await call('GET', 'orders', '/dead-letters');
  // The user went elsewhere (or signed out) while the list was read.
  if (navigation !== currentNavigation()) return;
  const told = h('div', { 'aria-live': 'assertive' }, answer ? answerBox(answer.outcome, `${answer.id} re-sent to ${answer.outcome.body?.redrivenTo}; ${answer.outcome.body?.consumer} handles it once`) : null);
  if (listed.status !== 200) return showScreen(main, h('h1', {}, 'Dead letters'), told, answerBox(listed, ''));
  const letters = listed.body as DeadLetter[];
  const resend = async (letter: DeadLetter) => deadLettersScreen(main, { id: letter.id, outcome: await call('POST', 'orders', `/dead-letters/${encodeURIComponent(letter.id)}/redrive`) }, navigation);
  showScreen(
    main,
    h('h1', {}, 'Dead letters'),
    told,
    h('p', {}, 'Fix the cause first (deploy the fix, create what was missing): a message re-sent into the same cause is refused again, as a new dead letter. The service that refused it handles it once.'),
    letters.length === 0
      ? h('p', {}, 'No dead letter.')
      : table(
          ['Refused at', 'Service', 'Topic', 'Key', 'Reason', 'Re-send'],
          letters.map((letter) => [
            letter.rejectedAt,
            letter.consumer,
            letter.originalTopic,
            letter.key ?? '–',
            letter.reason,
            letter.redrivenAt
              ? `re-sent at ${letter.redrivenAt} by ${letter.redrivenBy}`
              : h('button', { type: 'button', 'aria-label': `Re-send ${letter.id} (${letter.key ?? 'no key'})`, onclick: () => void resend(letter) }, 'Re-send'),
          ]),
          `${letters.length} dead letter(s), newest first`,
        ),
  );
}
