import type { ListOrdersQuery } from './dto/list-orders.query';

/** The body stays an array (what clients read today); the next page is told in headers, RFC 8288's Link and the cursor alone. */
export function nextPageHeaders(query: ListOrdersQuery, next: string | undefined): Record<string, string> {
  if (!next) return {};
  const params = new URLSearchParams();
  for (const name of ['customerId', 'channel', 'status', 'limit'] as const) if (query[name] !== undefined) params.set(name, String(query[name]));
  params.set('cursor', next);
  return { 'X-Next-Cursor': next, Link: `</orders?${params}>; rel="next"` };
}
