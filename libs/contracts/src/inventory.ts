import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { EARLIEST_TIME, LATEST_TIME, MAX_ID_LENGTH, MAX_ORDER_ID_LENGTH, MAX_STOCK_UNITS, MAX_TTL_SECONDS } from './limits';
import { IsId, IsTimeWithin } from './validation';

/** A count (SET) is never below zero, a movement (DELTA) may be: refused rather than floored, as HTTP refuses a negative onHand. */
const IsCountNotNegative = () =>
  ValidateBy({
    name: 'isCountNotNegative',
    validator: {
      validate: (quantity, args) => (args?.object as StockAdjustmentDto).mode !== 'SET' || (typeof quantity === 'number' && quantity >= 0),
      defaultMessage: () => 'a count (mode SET) must not be less than 0',
    },
  });

/** `fil.inventory.adjustments.v1`: stock sync from POS and WMS; adjustmentId is the idempotency key. */
export class StockAdjustmentDto {
  @IsString() @IsNotEmpty() @MaxLength(200) adjustmentId: string;
  @IsId() locationId: string;
  @IsId() sku: string;
  @IsIn(['SET', 'DELTA']) mode: 'SET' | 'DELTA';
  @IsInt() @Min(-MAX_STOCK_UNITS) @Max(MAX_STOCK_UNITS) @IsCountNotNegative() quantity: number;
  @IsString() @MaxLength(200) reason: string;
}

/** `fil.inventory.stock-levels.v1` (compacted, key `locationId:sku`). */
export interface StockLevel {
  locationId: string;
  sku: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  atp: number;
}

export class ReservationLineDto {
  @IsId() sku: string;
  @IsInt() @Min(1) quantity: number;
}

/** Internal command (ce_type `ReserveStock`): hold every line at one location, all or nothing. */
export class ReserveStockDto {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) reservationId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  @IsId() locationId: string;
  /** Held this long, then released by inventory itself (e-reservations); none = until released or committed. */
  @IsOptional() @IsInt() @Min(1) @Max(MAX_TTL_SECONDS) ttlSeconds?: number;
  /** The hold's deadline itself (ISO 8601), which wins over ttlSeconds: a command handled late still ends the hold on time. */
  @IsOptional() @IsTimeWithin(() => EARLIEST_TIME, () => LATEST_TIME, 'from 2000-01-01 to 2100-01-01') expiresAt?: string;
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ReservationLineDto)
  lines: ReservationLineDto[];
}

/** Internal commands (ce_type `ReleaseReservation` / `CommitReservation`). */
export class ReservationRefDto {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) reservationId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
}

/**
 * Why staff found fewer units than asked. PRODUCT.md names these "such as", so any short
 * text is taken; every reason takes the units out of sellable on-hand alike.
 */
export const SHORT_PICK_REASONS = ['NOT_FOUND', 'DAMAGED'] as const;
export const MAX_SHORT_PICK_REASON_LENGTH = 64;
export type ShortPickReason = string;

export class ShortPickLineDto {
  @IsId() sku: string;
  @IsInt() @Min(1) @Max(MAX_STOCK_UNITS) missing: number;
  @IsString() @IsNotEmpty() @MaxLength(MAX_SHORT_PICK_REASON_LENGTH) reason: ShortPickReason;
}

/**
 * Internal command (ce_type `ReportShortPick`), sent by fulfillment: the missing units
 * leave the reservation and the location's on-hand, recorded as adjustments
 * `<fulfillmentId>:<sku>:short` (their ids make a repeat harmless).
 */
export class ReportShortPickDto {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) reservationId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) fulfillmentId: string;
  @IsId() locationId: string;
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ShortPickLineDto)
  lines: ShortPickLineDto[];
}

/**
 * Internal command (ce_type `CheckAvailability`): before the orchestrator backorders or
 * rejects anything because its own copy of stock fell short, it asks inventory for its figures.
 */
export class CheckAvailabilityDto {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) requestId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsId({ each: true })
  skus: string[];
}

export class LocationAtp {
  @IsId() locationId: string;
  @IsId() sku: string;
  @IsInt() @Min(0) atp: number;
}

/**
 * Inventory event `AvailabilityReported` (key orderId), the answer to CheckAvailability:
 * the ATP of the SKUs asked at every location that has any, read after the question
 * arrived; a location not listed has none of them.
 */
export class AvailabilityReport {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) requestId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => LocationAtp) levels: LocationAtp[];
}

export const InventoryCommandTypes = {
  reserve: 'ReserveStock',
  release: 'ReleaseReservation',
  commit: 'CommitReservation',
  shortPick: 'ReportShortPick',
  checkAvailability: 'CheckAvailability',
} as const;

export const InventoryEventTypes = {
  reserved: 'StockReserved',
  refused: 'StockReservationRefused',
  released: 'ReservationReleased',
  committed: 'ReservationCommitted',
  expired: 'ReservationExpired',
  shortage: 'StockShortage',
  availability: 'AvailabilityReported',
} as const;

/** `fil.inventory.stock-alerts.v1`: the ATP of a SKU at a location crossed its reorder point, announced once per crossing. */
export const StockAlertTypes = {
  /** ATP fell to the reorder point or below. */
  low: 'StockLow',
  /** ATP rose above it again. */
  recovered: 'StockRecovered',
} as const;

/** The value of a StockLow or StockRecovered; key = locationId:sku. */
export interface StockAlert {
  locationId: string;
  sku: string;
  atp: number;
  reorderPoint: number;
  onHand: number;
  reserved: number;
  safetyStock: number;
  occurredAt: string;
}

/** A reservation a shortage hits, with its units of the short SKU. */
export class ShortReservation {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) reservationId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  @IsInt() quantity: number;
}

/**
 * Inventory event `StockShortage` (key `locationId:sku`): an adjustment left fewer units
 * on hand than are reserved. It names the HELD reservations that can no longer be
 * honoured, newest first, just enough of them to cover `shortBy`, so the orchestrator can
 * re-route them. Inventory does not cancel them itself.
 */
export class StockShortage {
  @IsId() locationId: string;
  @IsId() sku: string;
  @IsInt() onHand: number;
  @IsInt() reserved: number;
  @IsInt() shortBy: number;
  @IsString() @IsNotEmpty() adjustmentId: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ShortReservation) reservations: ShortReservation[];
}

/** ce_type of `fil.inventory.locations.v1` messages. */
export const LOCATION_CHANGED = 'LocationChanged';

/** `fil.inventory.locations.v1` (compacted, key `locationId`): a location as routing needs it, after every change. */
export interface LocationRecord {
  id: string;
  name: string;
  type: 'WAREHOUSE' | 'STORE';
  lat: number;
  lng: number;
  ship: boolean;
  pickup: boolean;
  reserve: boolean;
  /** Fulfillments it may start per day; null = unlimited. */
  dailyCapacity: number | null;
  /** Routing tie-break, lower first; null = last. */
  priority: number | null;
  /** Hours to prepare an order before it leaves or is ready at the counter; null = FIL_PROMISE_PROCESSING_HOURS. Absent from records older than the field. */
  processingHours?: number | null;
  /** Hour (UTC) after which what is ready leaves the next day; null = FIL_PROMISE_CUTOFF_HOUR. */
  cutOffHour?: number | null;
  /** Opening hours, `HH:MM` UTC; null = from midnight, to midnight. */
  opensAt?: string | null;
  closesAt?: string | null;
}

/** `HH:MM` on a 24-hour clock. */
export const CLOCK_TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** A line a refused reservation could not hold: what was asked, and what inventory had. */
export class ShortLine {
  @IsId() sku: string;
  @IsInt() requested: number;
  @IsInt() atp: number;
}

/** Value of every reservation event (held, refused, released, committed, expired): the outcome of one reservation command. */
export class ReservationOutcome {
  @IsString() @IsNotEmpty() @MaxLength(MAX_ID_LENGTH) reservationId: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_ORDER_ID_LENGTH) orderId: string;
  @IsId() locationId: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ReservationLineDto) lines: ReservationLineDto[];
  /** For refusals: why, e.g. `INSUFFICIENT_STOCK` with the short lines. */
  @IsOptional() @IsString() reason?: string;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => ShortLine) shortLines?: ShortLine[];
}
