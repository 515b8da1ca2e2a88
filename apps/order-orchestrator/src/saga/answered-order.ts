import { Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FulfillmentStatus } from '@fil/contracts';
import { lockOrder } from '../orders/order-lock';
import type { Order, OrderAllocation, ReservationState } from '../orders/order.entity';

const logger = new Logger('OrderSaga');

/** Fulfillment has started on the goods: a shortage at the location is the picker's to report. */
const STARTED: readonly FulfillmentStatus[] = ['PICKED', 'PACKED', 'SHIPPED', 'DELIVERED', 'IN_TRANSIT', 'RECEIVED', 'READY_FOR_PICKUP', 'COLLECTED'];

export const workStarted = (part: OrderAllocation): boolean => startedBy(part.fulfillmentStatus);

/** A fulfillment status that says work on the goods began. */
export const startedBy = (status?: FulfillmentStatus): boolean => !!status && STARTED.includes(status);

/** The order an answer is about, locked; an answer for an unknown order changes nothing. */
export async function lockAnswered(em: EntityManager, orderId: string): Promise<Order | undefined> {
  const order = await lockOrder(em, orderId);
  if (!order) logger.warn(`ignoring a saga answer for unknown order ${orderId}`);
  return order ?? undefined;
}

/** The part holding `reservationId`, when it is in one of `states` (any, without). */
export function partOf(order: Order, reservationId: string, states?: ReservationState[]): OrderAllocation | undefined {
  const part = order.allocations.find((candidate) => candidate.reservationId === reservationId);
  return part && (!states || states.includes(part.state)) ? part : undefined;
}
