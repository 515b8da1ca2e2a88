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
  IsNumber,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsId, IsNameableInPath } from './validation';

export class ReturnLineDto {
  @IsId() sku: string;
  @IsInt() @Min(1) quantity: number;
  @IsOptional() @IsString() @MaxLength(200) reason?: string;
}

/** `fil.returns.requested.v1` and `POST /returns` (returnId optional over HTTP). */
export class RequestReturnDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) @IsNameableInPath() returnId?: string;
  @IsString() @IsNotEmpty() @MaxLength(100) orderId: string;
  /** Where the customer said they will bring it (extension): that location's staff see it to receive. Any eligible location may still receive it. */
  @IsOptional() @IsId() locationId?: string;
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ReturnLineDto)
  lines: ReturnLineDto[];
}

export const RETURN_STATUSES = ['REQUESTED', 'RECEIVED', 'REFUNDED', 'REJECTED'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

export const INSPECTION_CONDITIONS = ['RESELLABLE', 'DAMAGED', 'NOT_RETURNED'] as const;
export type InspectionCondition = (typeof INSPECTION_CONDITIONS)[number];

export class ReceivedLineDto {
  @IsId() sku: string;
  @IsInt() @Min(0) quantity: number;
  @IsIn(INSPECTION_CONDITIONS) condition: InspectionCondition;
}

/** A receipt has a line per SKU and condition at most: a return's 100 lines, three conditions each. */
export const MAX_RECEIPT_LINES = 100 * INSPECTION_CONDITIONS.length;

/** `POST /returns/{id}/receive`. */
export class ReceiveReturnDto {
  @IsString() @IsNotEmpty() locationId: string;
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECEIPT_LINES)
  @ValidateNested({ each: true })
  @Type(() => ReceivedLineDto)
  lines: ReceivedLineDto[];
}

export class RefundLine {
  @IsId() sku: string;
  @IsInt() @Min(0) quantity: number;
  @IsNumber() unitPrice: number;
  @IsIn(INSPECTION_CONDITIONS) condition: InspectionCondition;
  @IsNumber() amount: number;
}

/** `fil.refunds.v1` (ce_type `RefundIssued`), once per return. */
export class Refund {
  @IsString() @IsNotEmpty() refundId: string;
  @IsString() @IsNotEmpty() returnId: string;
  @IsString() @IsNotEmpty() orderId: string;
  @IsNumber() amount: number;
  @IsString() currency: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => RefundLine) lines: RefundLine[];
}
