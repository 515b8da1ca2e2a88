import { decodeCursor, encodeCursor } from './order-cursor';

describe('the orders cursor', () => {
  it('gives back the position it was made from', () => {
    const position = { createdAt: '2026-01-01T10:00:00.123456Z', orderId: 'WEB-1/ü' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['not a pair', Buffer.from('["2026-01-01T10:00:00.123456Z"]').toString('base64url')],
    ['a time without microseconds', Buffer.from('["2026-01-01T10:00:00.123Z","O-1"]').toString('base64url')],
    ['an impossible time', Buffer.from('["2026-13-45T10:00:00.123456Z","O-1"]').toString('base64url')],
    ['a day the month does not have', Buffer.from('["2026-02-30T10:00:00.123456Z","O-1"]').toString('base64url')],
    ['the year 0', Buffer.from('["0000-01-01T10:00:00.123456Z","O-1"]').toString('base64url')],
    ['a NUL byte in the order id', Buffer.from('["2026-01-01T10:00:00.123456Z","O-\\u0000"]').toString('base64url')],
    ['an order id longer than any order has', Buffer.from(JSON.stringify(['2026-01-01T10:00:00.123456Z', 'O'.repeat(101)])).toString('base64url')],
    ['an empty order id', Buffer.from('["2026-01-01T10:00:00.123456Z",""]').toString('base64url')],
  ])('refuses %s, saying where cursors come from', (_, text) => {
    expect(decodeCursor(text)).toEqual({ invalid: expect.stringContaining('X-Next-Cursor') });
  });
});
