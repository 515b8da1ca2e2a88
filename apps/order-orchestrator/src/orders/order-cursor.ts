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
  if (typeof createdAt !== 'string' || !TIMESTAMP.test(createdAt) || Number.isNaN(Date.parse(createdAt))) return invalid;
  if (typeof orderId !== 'string' || !orderId) return invalid;
  return { createdAt, orderId };
}
