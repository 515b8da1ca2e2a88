import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ORDER_STATUSES, type OrderStatus } from '@fil/contracts';
import { traceIdOf } from '@fil/observability';
import type { Order, OrderAllocation } from '../order.entity';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderRoutingRecord, type RoutingRecord } from '../order-routing-record.entity';
import { OrderTransition } from '../order-transition.entity';

export class TimelineEntryView {
  @ApiPropertyOptional({ enum: ORDER_STATUSES, nullable: true }) from: OrderStatus | null;
  @ApiProperty({ enum: ORDER_STATUSES }) to: OrderStatus;
  @ApiProperty() cause: string;
  @ApiProperty() at: string;
}

/** What customer service sees of an order: its state, its timeline and why it was routed where it was. */
export class OrderView {
  @ApiProperty() orderId: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiPropertyOptional({ type: String, nullable: true }) channel: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) deliveryMode: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) customer: Record<string, unknown> | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) shippingAddress: Record<string, unknown> | null;
  @ApiPropertyOptional({ type: String, nullable: true }) pickupLocationId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) currency: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) placedAt: string | null;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: '{lineId, sku, quantity, unitPrice}' }) lines: unknown[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: '{locationId, kind, lines, reservationId, state (RESERVING, HELD, COMMITTED), fulfillmentId, fulfillmentStatus, shortage}: the allocations that serve the order, as its events list them' })
  allocations: OrderAllocation[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Every allocation the order has had, in the same shape: also refused, called off, released or expired ones (state CANCELLING, RELEASING, RELEASED, REFUSED, EXPIRED)' })
  allocationHistory: OrderAllocation[];
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: '{sku, quantity} not allocated yet' }) backordered: unknown[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'Units returned per SKU' }) returned: Record<string, number>;
  @ApiProperty({ type: [String], description: 'Validation errors of a rejected submission' }) errors: string[];
  @ApiProperty({ type: [TimelineEntryView] }) timeline: TimelineEntryView[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description:
      'Every routing decision, first one first: {at, cause, lines, outcome, allocations, backordered, explanation: {policyVersion (policy-v<n>, the stored routing policy version used), rulesVersion, deliveryMode, channelPolicy (the resolved policy of the order), candidates (a bounded list: the chosen ones, the cheapest few holders per SKU with scores, the nearest few filtered out with the filter), summary (counts of the whole network, home delivery and click & collect), exact, reason}, inputs (on the first decision only: what it saw, for the routing simulator; absent on older orders): {lines, shippingAddress {lat, lng}, pickupLocationId, excluded, atp (by SKU, then location: the holders of the ordered SKUs), locations (those holders and the pickup store)}}',
  })
  routing: unknown[];
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, nullable: true, description: 'NOT_AVAILABLE_IN_STORE: up to three nearest stores that could serve the e-reservation' })
  alternatives: unknown[] | null;
  @ApiProperty({ description: 'Re-routes so far (refusals, shortages, timeouts)' }) reroutes: number;
  @ApiPropertyOptional({ type: String, nullable: true, description: "The W3C trace id of the order's journey (32 hex digits), to open it in the trace UI; null when it was received without tracing", example: '0af7651916cd43dd8448eb211c80319c' })
  traceId: string | null;
}

/** The order with its timeline and routing history, as answered over HTTP. */
export async function loadOrderView(em: EntityManager, order: Order): Promise<OrderView> {
  const timeline = await em.find(OrderTransition, { orderId: order.orderId }, { orderBy: { number: 'asc' } });
  const routing = await em.find(OrderRoutingRecord, { orderId: order.orderId }, { orderBy: { seq: 'asc' } });
  return toOrderView(order, timeline, routing.map((decision) => decision.record));
}

export function toOrderView(order: Order, timeline: OrderTransition[], routing: RoutingRecord[]): OrderView {
  return {
    ...toOrderSummary(order),
    customer: order.customer ?? null,
    shippingAddress: order.shippingAddress ?? null,
    pickupLocationId: order.pickupLocationId ?? null,
    allocations: order.shownAllocations(),
    allocationHistory: order.allocations,
    backordered: order.backordered,
    returned: order.returned,
    errors: order.errors,
    timeline: timeline.map((step) => ({ from: step.fromStatus ?? null, to: step.toStatus, cause: step.cause, at: step.at.toISOString() })),
    routing,
    alternatives: order.alternatives ?? null,
    reroutes: order.reroutes,
    traceId: traceIdOf(order.traceparent ?? undefined) ?? null,
  };
}

/** One row of a list of orders (`GET /orders`). */
export type OrderSummary = ReturnType<typeof toOrderSummary>;

/** One row of a list of orders. */
export function toOrderSummary(order: Order) {
  return {
    orderId: order.orderId,
    status: order.status,
    channel: order.channel ?? null,
    deliveryMode: order.deliveryMode ?? null,
    currency: order.currency ?? null,
    placedAt: order.placedAt?.toISOString() ?? null,
    lines: order.lines,
  };
}
