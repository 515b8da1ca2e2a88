import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { EARLIEST_TIME, LATEST_TIME, MAX_ID_LENGTH, MAX_LINE_QUANTITY, MAX_ORDER_ID_LENGTH } from './limits';
import { ALLOCATION_KINDS, MAX_ORDER_LINES, type AllocationKind } from './order';
import { IsId, IsTimeWithin } from './validation';

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

/** A fulfillment line is an order's SKU merged: up to every line of the order holds it, each at its maximum. */
export const MAX_FULFILLMENT_LINE_QUANTITY = MAX_LINE_QUANTITY * MAX_ORDER_LINES;

export class FulfillmentLineDto {
  @IsId() sku: string;
  @IsInt() @Min(1) @Max(MAX_FULFILLMENT_LINE_QUANTITY) quantity: number;
}

/** Internal command (ce_type `CreateFulfillment`): work for the staff of one location. */
export class CreateFulfillment {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) fulfillmentId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  @IsId() locationId: string;
  @IsIn(ALLOCATION_KINDS) kind: AllocationKind;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) reservationId?: string;
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_LINES)
  @ValidateNested({ each: true })
  @Type(() => FulfillmentLineDto)
  lines: FulfillmentLineDto[];
  /** PICKUP (a counter): the store's own units, its reservation's lines; the rest comes by transfer, and the counter is not ready before it has. */
  @IsOptional()
  @ArrayMaxSize(MAX_ORDER_LINES)
  @ValidateNested({ each: true })
  @Type(() => FulfillmentLineDto)
  ownLines?: FulfillmentLineDto[];
  /** TRANSFER (required there): the pickup store the goods travel to, where they are received. */
  @ValidateIf((command: CreateFulfillment) => command.kind === 'TRANSFER' || command.destinationLocationId !== undefined)
  @IsId()
  destinationLocationId?: string;
  /** E-reservation: the hold ends then, and the goods can no longer be collected (ISO time). */
  @IsOptional() @IsTimeWithin(() => EARLIEST_TIME, () => LATEST_TIME, 'from 2000-01-01 to 2100-01-01') expiresAt?: string;
}

/** Internal command (ce_type `CancelFulfillment`): the order no longer wants the work. */
export class CancelFulfillmentDto {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) fulfillmentId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  @IsString() @IsNotEmpty() @MaxLength(500) reason: string;
  /** Its order was given up (cancelled, rejected, expired): the units transfers brought the counter, or bring it later, go into the store's stock; a transfer that already left is counted in there when received. */
  @IsOptional() @IsBoolean() transfersBackInStock?: boolean;
}

export const FulfillmentCommandTypes = { create: 'CreateFulfillment', cancel: 'CancelFulfillment' } as const;

export class FulfillmentLineView {
  @IsId() sku: string;
  @IsInt() @Min(0) quantity: number;
  @IsInt() @Min(0) picked: number;
}

/** Value of every fulfillment event (ce_type `FulfillmentCreated`, `FulfillmentShipped`...). */
export class FulfillmentEvent {
  @IsString() @IsNotEmpty() fulfillmentId: string;
  @IsString() @IsNotEmpty() orderId: string;
  @IsId() locationId: string;
  @IsIn(ALLOCATION_KINDS) kind: AllocationKind;
  @IsIn(FULFILLMENT_STATUSES, { message: ({ value }) => `${String(value)} is not a fulfillment status` }) status: FulfillmentStatus;
  @IsOptional() @IsString() reservationId?: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => FulfillmentLineView) lines: FulfillmentLineView[];
  @IsOptional() @IsString() carrier?: string;
  @IsOptional() @IsString() trackingNumber?: string;
  @IsOptional() @IsString() destinationLocationId?: string;
  @IsOptional() @IsString() expiresAt?: string;
  /** FulfillmentCancelRefused: why the work could not be called off. */
  @IsOptional() @IsString() reason?: string;
  @IsString() occurredAt: string;
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
