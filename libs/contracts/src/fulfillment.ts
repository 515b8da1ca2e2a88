import type { AllocationKind, AllocationLine } from './order';

export const FULFILLMENT_STATUSES = [
  'CREATED',
  'PICKED',
  'PACKED',
  'SHIPPED',
  'DELIVERED',
  'IN_TRANSIT',
  'RECEIVED',
  'READY_FOR_PICKUP',
  'COLLECTED',
  'CANCELLED',
] as const;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

/** Internal command (ce_type `CreateFulfillment`): work for the staff of one location. */
export interface CreateFulfillment {
  fulfillmentId: string;
  orderId: string;
  locationId: string;
  kind: AllocationKind;
  reservationId?: string;
  lines: AllocationLine[];
  /** TRANSFER: the pickup store the goods travel to, where they are received. */
  destinationLocationId?: string;
  /** E-reservation: the hold ends then, and the goods can no longer be collected (ISO time). */
  expiresAt?: string;
}

export const FulfillmentCommandTypes = { create: 'CreateFulfillment', cancel: 'CancelFulfillment' } as const;

export interface FulfillmentLineView {
  sku: string;
  quantity: number;
  picked: number;
}

/** Value of every fulfillment event (ce_type `FulfillmentCreated`, `FulfillmentShipped`...). */
export interface FulfillmentEvent {
  fulfillmentId: string;
  orderId: string;
  locationId: string;
  kind: AllocationKind;
  status: FulfillmentStatus;
  reservationId?: string;
  lines: FulfillmentLineView[];
  carrier?: string;
  trackingNumber?: string;
  destinationLocationId?: string;
  expiresAt?: string;
  /** FulfillmentCancelRefused: why the work could not be called off. */
  reason?: string;
  occurredAt: string;
}

/**
 * ce_type of fulfillment's answer to a CancelFulfillment it cannot honour, the goods having
 * left or been handed over: the fulfillment as it stands, with `reason`. The orchestrator
 * then keeps the stock committed instead of giving it back.
 */
export const FULFILLMENT_CANCEL_REFUSED = 'FulfillmentCancelRefused';

/** The ce_type announcing each fulfillment status. */
export const FULFILLMENT_EVENT_TYPES: Record<FulfillmentStatus, string> = {
  CREATED: 'FulfillmentCreated',
  PICKED: 'FulfillmentPicked',
  PACKED: 'FulfillmentPacked',
  SHIPPED: 'FulfillmentShipped',
  DELIVERED: 'FulfillmentDelivered',
  IN_TRANSIT: 'FulfillmentInTransit',
  RECEIVED: 'FulfillmentReceived',
  READY_FOR_PICKUP: 'FulfillmentReadyForPickup',
  COLLECTED: 'FulfillmentCollected',
  CANCELLED: 'FulfillmentCancelled',
};
