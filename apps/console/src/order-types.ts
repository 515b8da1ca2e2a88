/** The order statuses, as docs/contract.md lists them ("Order lifecycle"). */
export const ORDER_STATUSES = [
  'RECEIVED',
  'REJECTED',
  'ALLOCATED',
  'PARTIALLY_ALLOCATED',
  'RESERVED',
  'IN_FULFILLMENT',
  'READY_FOR_PICKUP',
  'SHIPPED',
  'DELIVERED',
  'COLLECTED',
  'CANCELLED',
  'EXPIRED',
  'PARTIALLY_RETURNED',
  'RETURNED',
  'NEEDS_ATTENTION',
] as const;

/** Statuses in which a cancellation is refused whatever the caller: the page offers none (the service decides the rest). */
export const NOT_CANCELLABLE: readonly string[] = ['SHIPPED', 'DELIVERED', 'COLLECTED', 'PARTIALLY_RETURNED', 'RETURNED', 'REJECTED', 'CANCELLED', 'EXPIRED'];

/** One row of `GET /orders`. */
export interface OrderSummary {
  orderId: string;
  status: string;
  channel: string | null;
  deliveryMode: string | null;
  currency: string | null;
  placedAt: string | null;
}
