/**
 * Bounds on what Fil accepts, far above what a real retailer reaches and, for counts, below
 * PostgreSQL's integer (2,147,483,647): a bigger value is refused naming its field instead of
 * failing in the database. Listed in docs/security.md (Bad input).
 */

/** Units of one SKU at one location: onHand, safetyStock, an adjustment, a reservation or short-pick line. */
export const MAX_STOCK_UNITS = 1_000_000_000;
/** Units on one order line. */
export const MAX_LINE_QUANTITY = 10_000;
/** Price of one unit, in the order's currency. */
export const MAX_UNIT_PRICE = 1_000_000;
/** Fulfillments one location may start per day. */
export const MAX_DAILY_CAPACITY = 1_000_000;
/** A location's routing priority lies within ± this. */
export const MAX_PRIORITY = 1_000_000;
/** The longest a reservation may hold stock: a year. */
export const MAX_TTL_SECONDS = 365 * 24 * 3600;
/** Longest orderId: the channel's idempotency key, also the orchestrator's primary key. */
export const MAX_ORDER_ID_LENGTH = 100;
/** Longest id of a reservation, fulfillment, request or adjustment: Fil makes them of an order id and a suffix. */
export const MAX_ID_LENGTH = 200;

/** No date in a message lies before this (orders are not back-filled from the last century)... */
export const EARLIEST_TIME = new Date('2000-01-01T00:00:00Z');
/** ...nor after this, except placedAt, which may not be in the future beyond clock skew. */
export const LATEST_TIME = new Date('2100-01-01T00:00:00Z');
/** How far a channel's clock may run ahead of Fil's. */
export const CLOCK_SKEW_MS = 24 * 3600 * 1000;
