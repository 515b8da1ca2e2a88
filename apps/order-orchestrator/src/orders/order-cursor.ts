import { MAX_ORDER_ID_LENGTH, unsafeInput } from '@fil/contracts';

/**
 * Where a page of `GET /orders` ended: the last order's creation time (to the microsecond, as
 * PostgreSQL keeps it) and id. The next page starts strictly after it in (created_at, order_id)
 * descending order, so orders created meanwhile never shift the pages (no duplicate, no gap).
 */
export interface OrderCursor {
  /** ISO 8601 in UTC with microseconds, e.g. 2026-01-01T10:00:00.123456Z. */
  createdAt: string;
  orderId: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A time PostgreSQL takes: Date.parse rolls 2026-02-30 over to March, and there is no year 0. */
function isRealTime(text: string): boolean {
  const milliseconds = `${text.slice(0, 23)}Z`;
  return !Number.isNaN(Date.parse(milliseconds)) && new Date(milliseconds).toISOString() === milliseconds && !text.startsWith('0000');
}

/** Opaque to clients: base64url of a JSON pair, so its inside may change without breaking them. */
export function encodeCursor({ createdAt, orderId }: OrderCursor): string {
  return Buffer.from(JSON.stringify([createdAt, orderId]), 'utf8').toString('base64url');
}

/** The cursor's position, or why it is not one of ours (a 400's reason). */
export function decodeCursor(text: string): OrderCursor | { invalid: string } {
  const invalid = { invalid: 'cursor is not one this service gave: use the X-Next-Cursor header of the previous page as it is' };
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return invalid;
  let pair: unknown;
  try {
    pair = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return invalid;
  }
  if (!Array.isArray(pair) || pair.length !== 2) return invalid;
  const [createdAt, orderId] = pair;
  if (typeof createdAt !== 'string' || !TIMESTAMP.test(createdAt) || !isRealTime(createdAt)) return invalid;
  if (typeof orderId !== 'string' || !orderId || orderId.length > MAX_ORDER_ID_LENGTH || unsafeInput(orderId).length) return invalid;
  return { createdAt, orderId };
}
