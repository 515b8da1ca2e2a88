import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { EARLIEST_TIME, ID_PATTERN, IsTimeWithin, LATEST_TIME, MAX_ORDER_LINES, type AllocationKind, type CreateFulfillment } from '@fil/contracts';

export const ALLOCATION_KINDS: readonly AllocationKind[] = ['SHIP', 'PICKUP', 'TRANSFER'];

export class FulfillmentLineDto {
  @Matches(ID_PATTERN, { message: 'sku must be 1-64 letters, digits, dots, dashes or underscores' }) sku: string;
  @IsInt() @Min(1) @Max(10_000) quantity: number;
}

/** `fil.fulfillment.commands.v1`, ce_type `CreateFulfillment`, as the orchestrator sends it. */
export class CreateFulfillmentDto implements CreateFulfillment {
  @IsString() @IsNotEmpty() @MaxLength(200) fulfillmentId: string;
  @IsString() @IsNotEmpty() @MaxLength(100) orderId: string;
  @Matches(ID_PATTERN, { message: 'locationId must be 1-64 letters, digits, dots, dashes or underscores' }) locationId: string;
  @IsIn(ALLOCATION_KINDS) kind: AllocationKind;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) reservationId?: string;
  @IsOptional() @Matches(ID_PATTERN, { message: 'destinationLocationId must be 1-64 letters, digits, dots, dashes or underscores' }) destinationLocationId?: string;
  @IsOptional() @IsTimeWithin(() => EARLIEST_TIME, () => LATEST_TIME, 'from 2000-01-01 to 2100-01-01') expiresAt?: string;

  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_LINES)
  @ValidateNested({ each: true })
  @Type(() => FulfillmentLineDto)
  lines: FulfillmentLineDto[];
}
