import { PendingCancellation } from './pending-cancellation.entity';

describe('a cancellation that came before its order', () => {
  const received = new Date('2025-03-01T10:00:00.000Z');
  const early = new PendingCancellation('O-1', 'changed my mind', received);
  const day = 86_400_000;

  it('cancels the order arriving up to its bound after it, and not later', () => {
    expect(early.appliesAt(received, day)).toBe(true);
    expect(early.appliesAt(new Date(received.getTime() + day), day)).toBe(true);
    expect(early.appliesAt(new Date(received.getTime() + day + 1), day)).toBe(false);
  });

  it('says when it came, as the cause of the cancellation or why it was left aside', () => {
    expect(early.cause()).toBe('changed my mind (CancelOrder received at 2025-03-01T10:00:00.000Z, before the order)');
    expect(early.describe(day)).toBe('a CancelOrder received at 2025-03-01T10:00:00.000Z was older than 86400 s and was not applied');
  });
});
