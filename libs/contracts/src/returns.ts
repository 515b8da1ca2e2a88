import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsId } from './validation';

export class ReturnLineDto {
  @IsId() sku: string;
  @IsInt() @Min(1) quantity: number;
  @IsOptional() @IsString() @MaxLength(200) reason?: string;
}

/** `fil.returns.requested.v1` and `POST /returns` (returnId optional over HTTP). */
export class RequestReturnDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) returnId?: string;
  @IsString() @IsNotEmpty() @MaxLength(100) orderId: string;
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ReturnLineDto)
  lines: ReturnLineDto[];
}

export const INSPECTION_CONDITIONS = ['RESELLABLE', 'DAMAGED', 'NOT_RETURNED'] as const;
export type InspectionCondition = (typeof INSPECTION_CONDITIONS)[number];

export class ReceivedLineDto {
  @IsId() sku: string;
  @IsInt() @Min(0) quantity: number;
  @IsIn(INSPECTION_CONDITIONS) condition: InspectionCondition;
}

/** `POST /returns/{id}/receive`. */
export class ReceiveReturnDto {
  @IsString() @IsNotEmpty() locationId: string;
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ReceivedLineDto)
  lines: ReceivedLineDto[];
}

/** `fil.refunds.v1` (ce_type `RefundIssued`), once per return. */
export interface Refund {
  refundId: string;
  returnId: string;
  orderId: string;
  amount: number;
  currency: string;
  lines: { sku: string; quantity: number; unitPrice: number; condition: InspectionCondition; amount: number }[];
}
