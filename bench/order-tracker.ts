import { Topics } from '@fil/contracts';
import type { KafkaProbe, ProbedMessage } from '@fil/testing';
import { sleep } from './measure';

/** An order's first answer (its first status after RECEIVED) and its cancellation, as appended to the events topic. */
export interface Answer {
  status: string;
  at: number;
  cancelledAt?: number;
}

/**
 * Indexes the order events the probe reads, as they arrive: a long run cannot afford to
 * filter every event it has seen at each poll.
 */
export class OrderTracker {
  private readonly answers = new Map<string, Answer>();
  private readonly firstAnswer: ((orderId: string, answer: Answer) => void)[] = [];

  constructor(probe: KafkaProbe) {
    probe.onMessage((message) => this.record(message));
  }

  /** Calls `listener` with each order's first answer, once. */
  onAnswer(listener: (orderId: string, answer: Answer) => void): void {
    this.firstAnswer.push(listener);
  }

  answer(orderId: string): Answer | undefined {
    return this.answers.get(orderId);
  }

  /**
   * Waits until `done` holds for every id, or until none of the missing ones progressed for
   * `stallMs`; returns the ids still missing then: the orders lost.
   */
  async settle(ids: string[], done: (answer: Answer | undefined) => boolean, stallMs: number): Promise<string[]> {
    let missing = ids.filter((id) => !done(this.answers.get(id)));
    let progressAt = Date.now();
    while (missing.length && Date.now() - progressAt < stallMs) {
      await sleep(200);
      const still = missing.filter((id) => !done(this.answers.get(id)));
      if (still.length < missing.length) progressAt = Date.now();
      missing = still;
    }
    return missing;
  }

  private record(message: ProbedMessage): void {
    if (message.topic !== Topics.ordersEvents || !message.key) return;
    const status = message.value?.status;
    if (!status || status === 'RECEIVED') return;
    let answer = this.answers.get(message.key);
    if (!answer) {
      answer = { status, at: message.timestamp };
      this.answers.set(message.key, answer);
      for (const listener of this.firstAnswer) listener(message.key, answer);
    }
    if (status === 'CANCELLED') answer.cancelledAt ??= message.timestamp;
  }
}
