import { Type } from 'class-transformer';
import type { FulfillmentStatus } from './fulfillment';
import {
  arrayUnique,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CLOCK_SKEW_MS, EARLIEST_TIME, LATEST_TIME, MAX_LINE_QUANTITY, MAX_ORDER_ID_LENGTH, MAX_UNIT_PRICE } from './limits';
import { IsId, IsTimeWithin } from './validation';

export const DELIVERY_MODES = ['HOME_DELIVERY', 'CLICK_AND_COLLECT', 'E_RESERVATION'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** The most lines one order may carry; larger baskets are rejected, not truncated. */
export const MAX_ORDER_LINES = 100;

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
  // Extension of PRODUCT.md's list: a compensation failed, a person must look (ops list these).
  'NEEDS_ATTENTION',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/** Wholly delivered or collected (perhaps partly returned since): a return may be asked for, a refund counted. */
export const RETURNABLE_STATUSES: readonly OrderStatus[] = ['DELIVERED', 'COLLECTED', 'PARTIALLY_RETURNED'];
/** Parcels of an order in these states reach the customer one by one: those delivered may come back already. */
export const PARTLY_DELIVERED_STATUSES: readonly OrderStatus[] = ['IN_FULFILLMENT', 'SHIPPED'];
/**
 * An order in these states no longer wants its goods, yet some may reach the customer (a cancel
 * racing the ship, a shortage rejecting the rest under a REJECT policy): those may come back.
 */
export const UNWANTED_GOODS_STATUSES: readonly OrderStatus[] = ['NEEDS_ATTENTION', 'CANCELLED', 'REJECTED'];

/** PRODUCT.md gives the customer no shape: a guest checkout may have no id. */
export class CustomerDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) id?: string;
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsString() @MaxLength(320) email?: string;
}

export class AddressDto {
  @IsNumber() @Min(-90) @Max(90) lat: number;
  @IsNumber() @Min(-180) @Max(180) lng: number;
  @IsOptional() @IsString() @MaxLength(300) street?: string;
  @IsOptional() @IsString() @MaxLength(100) city?: string;
  @IsOptional() @IsString() @MaxLength(20) postalCode?: string;
  // A code (FR) or a name (France): routing uses lat/lng only.
  @IsOptional() @IsString() @MaxLength(100) country?: string;
}

export class OrderLineDto {
  @IsString() @IsNotEmpty() @MaxLength(100) lineId: string;
  @IsId() sku: string;
  @IsInt() @Min(1) @Max(MAX_LINE_QUANTITY) quantity: number;
  @IsPrice() @Min(0) @Max(MAX_UNIT_PRICE) unitPrice: number;
}

/** A price to 4 decimals, as a channel computes it: binary noise (0.1 + 0.2) passes and is rounded off by `priceOf`. */
function IsPrice(): PropertyDecorator {
  return ValidateBy({
    name: 'isPrice',
    validator: {
      validate: (value) => typeof value === 'number' && Number.isFinite(value) && Math.abs(value - priceOf(value)) <= Number.EPSILON * 8 * Math.max(1, Math.abs(value)),
      defaultMessage: (args) => `${args?.property} must be a number with at most 4 decimal places`,
    },
  });
}

/** A validated price as Fil keeps it: to 4 decimals. */
export const priceOf = (value: number): number => Math.round(value * 10_000) / 10_000;

/** Lines of an order or an edit: at least one, at most MAX_ORDER_LINES, each lineId once. */
const OrderLines = (): PropertyDecorator => (target, property) => {
  for (const decorate of [
    ValidateBy({
      name: 'lineCount',
      validator: {
        validate: (lines) => Array.isArray(lines) && lines.length >= 1 && lines.length <= MAX_ORDER_LINES,
        // One reason, the one that applies: a missing list is not also "too long".
        defaultMessage: (args) =>
          !Array.isArray(args?.value)
            ? `lines must be a list of 1 to ${MAX_ORDER_LINES} lines`
            : args.value.length < 1
              ? 'lines must contain at least 1 line'
              : `lines must contain no more than ${MAX_ORDER_LINES} lines`,
      },
    }),
    ValidateBy({
      name: 'uniqueLineIds',
      validator: {
        // A list that is not one is reported by the other checks.
        validate: (lines) => !Array.isArray(lines) || arrayUnique(lines, (line: OrderLineDto) => line?.lineId),
        defaultMessage: () => 'each lineId must be unique within the order',
      },
    }),
    ValidateNested({ each: true }),
    Type(() => OrderLineDto),
  ])
    decorate(target, property);
};

/**
 * The ISO 4217 codes the runtime's ICU data knows, and VED (Venezuela, 2021), which it lacks.
 * Checked, not just shaped: a refund in `ZZZ` is one no payment system can pay. In any case
 * (`eur`, as some payment APIs write it), kept in capitals.
 */
const CURRENCY_CODES = new Set([...Intl.supportedValuesOf('currency'), 'VED']);
const isCurrencyCode = (code: unknown) => typeof code === 'string' && CURRENCY_CODES.has(code.toUpperCase());

/** `fil.orders.submitted.v1`: an order as a channel sends it. */
export class SubmitOrderDto {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  @IsString() @IsNotEmpty() @MaxLength(50) channel: string;
  @IsIn(DELIVERY_MODES) deliveryMode: DeliveryMode;
  // IsDefined: ValidateNested alone lets a missing object through.
  @IsDefined() @ValidateNested() @Type(() => CustomerDto) customer: CustomerDto;

  // A field of the other modes may come as null (serializers write absent fields so): it is left out.
  @ValidateIf((o: SubmitOrderDto) => o.deliveryMode === 'HOME_DELIVERY' || o.shippingAddress != null)
  @IsDefined()
  @ValidateNested()
  @Type(() => AddressDto)
  shippingAddress?: AddressDto;

  @ValidateIf((o: SubmitOrderDto) => o.deliveryMode !== 'HOME_DELIVERY' || o.pickupLocationId != null)
  @IsString()
  @IsNotEmpty()
  @IsId()
  pickupLocationId?: string;

  @OrderLines() lines: OrderLineDto[];

  @ValidateBy({ name: 'isCurrency', validator: { validate: isCurrencyCode, defaultMessage: () => 'currency must be an ISO 4217 code such as EUR' } })
  currency: string;
  /** Not before 2000, not in the future beyond clock skew. */
  @IsTimeWithin(() => EARLIEST_TIME, () => new Date(Date.now() + CLOCK_SKEW_MS), 'from 2000-01-01 to one day from now') placedAt: string;
}

/** `fil.orders.commands.v1`, ce_type `CancelOrder`. */
export class CancelOrderDto {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  // PRODUCT.md names one, HTTP's cancel takes none: one left out (or null) is said for the channel.
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(500) reason?: string;
}

/** The command types of `fil.orders.commands.v1`. */
export const OrderCommandTypes = { cancel: 'CancelOrder', edit: 'EditOrder' } as const;

/**
 * `fil.orders.commands.v1`, ce_type `EditOrder` (and `POST /orders/{id}/edit`): an order changed
 * before any part is picked. `lines` is the whole new basket (a line left out is cancelled, a
 * lower quantity cancels units: partial cancellation); the address or the pickup store moves
 * the order. The editId makes a second delivery change nothing.
 */
export class EditOrderDto {
  @IsString() @IsNotEmpty() @MaxLength(200) editId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  @IsOptional() @OrderLines() lines?: OrderLineDto[];
  @IsOptional() @ValidateNested() @Type(() => AddressDto) shippingAddress?: AddressDto;
  @IsOptional() @IsId() pickupLocationId?: string;
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

/** Why an edit that names nothing to change is refused rather than answered with no step. */
export const EMPTY_EDIT = 'an edit gives lines, shippingAddress or pickupLocationId: this one gives none';
export const isEmptyEdit = (edit: Pick<EditOrderDto, 'lines' | 'shippingAddress' | 'pickupLocationId'>) =>
  edit.lines === undefined && edit.shippingAddress === undefined && edit.pickupLocationId === undefined;

/** What an edit changed, on its OrderEdited event. */
export interface OrderEdit {
  editId: string;
  reason?: string;
  /** Units added per SKU, and units cancelled. */
  added: AllocationLine[];
  removed: AllocationLine[];
  shippingAddress?: Record<string, unknown>;
  pickupLocationId?: string;
}

export const ALLOCATION_KINDS = ['SHIP', 'PICKUP', 'TRANSFER'] as const;
export type AllocationKind = (typeof ALLOCATION_KINDS)[number];

export interface AllocationLine {
  sku: string;
  quantity: number;
}

/** Where part of an order is served from; `reservationId` is the stock held for it. */
export interface Allocation {
  locationId: string;
  kind: AllocationKind;
  lines: AllocationLine[];
  reservationId?: string;
}

export interface OrderLine {
  lineId: string;
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** An allocation as order events announce it: with the fulfillment doing its work and where that stands (a parcel DELIVERED may be returned). */
export interface AnnouncedAllocation extends Allocation {
  fulfillmentId?: string;
  fulfillmentStatus?: FulfillmentStatus;
}

/**
 * `fil.orders.events.v1`: the value of every order event, whatever its ce_type
 * (`OrderReceived`, `OrderAllocated`, `OrderRejected`, `OrderShipped`...).
 * It carries the order's whole current state so a consumer needs no look-up.
 * A reader relies on orderId, status and occurredAt (checked); it keeps what it can use of the rest.
 */
export class OrderEvent {
  @IsString() @IsNotEmpty() orderId: string;
  @IsIn(ORDER_STATUSES, { message: ({ value }) => `${String(value)} is not an order status` }) status: OrderStatus;
  previousStatus?: OrderStatus;
  /** The step's cause; for a rejection, its code alone (VALIDATION_FAILED, NO_STOCK, NOT_AVAILABLE_IN_STORE...). */
  reason?: string;
  /** A rejection's cause in words, when there is more than its code. */
  detail?: string;
  errors?: string[];
  channel?: string;
  deliveryMode?: DeliveryMode;
  customerId?: string;
  currency?: string;
  lines: OrderLine[];
  allocations: AnnouncedAllocation[];
  /** Lines no location could serve (channel policy BACKORDER). */
  backordered?: AllocationLine[];
  /** E-reservation refused with NOT_AVAILABLE_IN_STORE: up to three nearest stores that could serve every line. */
  alternatives?: { locationId: string; distanceKm: number }[];
  /** On OrderEdited only: what the edit changed (the status does not move). */
  edit?: OrderEdit;
  /** On OrderResumed only: what a person did to take the order out of NEEDS_ATTENTION. */
  resumed?: OrderResumption;
  @IsOptional() @IsTimeWithin(() => EARLIEST_TIME, () => LATEST_TIME, 'from 2000-01-01 to 2100-01-01') occurredAt: string;
}

/** The ce_type of an order event that announces an edit rather than a status. */
export const ORDER_EDITED = 'OrderEdited';

/** The ce_type of the event announcing an order back from NEEDS_ATTENTION to the status it had, the saga going on from there. */
export const ORDER_RESUMED = 'OrderResumed';

/** A person's action on an order in NEEDS_ATTENTION: its given-up commands sent again, or its unwanted stock released. */
export interface OrderResumption {
  action: 'RETRY' | 'RELEASE' | 'RESOLVE';
  /** The `sub` of the person's token. */
  by: string;
  reason?: string;
}

/** The ce_type of the event that announces each status. */
export const ORDER_EVENT_TYPES: Record<OrderStatus, string> = {
  RECEIVED: 'OrderReceived',
  REJECTED: 'OrderRejected',
  ALLOCATED: 'OrderAllocated',
  PARTIALLY_ALLOCATED: 'OrderPartiallyAllocated',
  RESERVED: 'OrderReserved',
  IN_FULFILLMENT: 'OrderInFulfillment',
  READY_FOR_PICKUP: 'OrderReadyForPickup',
  SHIPPED: 'OrderShipped',
  DELIVERED: 'OrderDelivered',
  COLLECTED: 'OrderCollected',
  CANCELLED: 'OrderCancelled',
  EXPIRED: 'OrderExpired',
  PARTIALLY_RETURNED: 'OrderPartiallyReturned',
  RETURNED: 'OrderReturned',
  NEEDS_ATTENTION: 'OrderNeedsAttention',
};
