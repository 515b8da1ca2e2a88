import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { FULFILLMENT_STATUSES, type FulfillmentStatus } from '@fil/contracts';

/** `GET /fulfillments`: a location's work list, narrowed by status or order. */
export class ListFulfillmentsQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() locationId?: string;
  @ApiPropertyOptional({ enum: FULFILLMENT_STATUSES }) @IsOptional() @IsIn(FULFILLMENT_STATUSES) status?: FulfillmentStatus;
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() orderId?: string;
}
