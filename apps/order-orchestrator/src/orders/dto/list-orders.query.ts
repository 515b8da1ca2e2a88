import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateBy, ValidateIf } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '@fil/contracts';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

/** Customer service looks a customer up; ops list a channel's orders or those in one status (NEEDS_ATTENTION first of all). */
export class ListOrdersQuery {
  @ApiPropertyOptional({ description: "The customer's id as the channel sent it", example: 'CUST-42' })
  // One reason when no filter is given, not three about a customerId nobody sent.
  @ValidateIf((query: ListOrdersQuery) => query.customerId !== undefined || (query.status === undefined && query.channel === undefined))
  @ValidateBy({
    name: 'customerFilter',
    validator: {
      validate: (id) => typeof id === 'string' && id.length >= 1 && id.length <= 200,
      defaultMessage: (args) => (args?.value === undefined ? 'customerId, channel or status is required' : 'customerId must be 1 to 200 characters'),
    },
  })
  customerId?: string;

  @ApiPropertyOptional({ description: "The channel's name, as in the order (a channel token sees its own channels only)", example: 'web' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  channel?: string;

  @ApiPropertyOptional({ enum: ORDER_STATUSES, example: 'NEEDS_ATTENTION' })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  @ApiPropertyOptional({ description: `Orders per page, 1 to ${MAX_PAGE_SIZE}`, default: DEFAULT_PAGE_SIZE, minimum: 1, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  @Min(1, { message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  @Max(MAX_PAGE_SIZE, { message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
  limit?: number;

  @ApiPropertyOptional({ description: 'Where the previous page ended: its X-Next-Cursor header, as it is (opaque)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  cursor?: string;
}
