import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import { FULFILLMENT_STATUSES, IsId } from '@fil/contracts';

const STATUS_LIST = new RegExp(`^(${FULFILLMENT_STATUSES.join('|')})(,(${FULFILLMENT_STATUSES.join('|')}))*$`);

/** `GET /fulfillments`: a location's work list, narrowed by status or order. */
export class ListFulfillmentsQuery {
  @ApiPropertyOptional({ example: 'store-lyon-part-dieu' }) @IsOptional() @IsId() locationId?: string;
  @ApiPropertyOptional({ description: `one or more of ${FULFILLMENT_STATUSES.join(', ')}, comma-separated`, example: 'CREATED,PICKED' })
  @IsOptional()
  @Matches(STATUS_LIST, { message: `status must be one or more of ${FULFILLMENT_STATUSES.join(', ')}, comma-separated` })
  status?: string;
  @ApiPropertyOptional({ description: 'true: only work still to do (the pick list): CREATED, PICKED, PACKED, READY_FOR_PICKUP', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  open?: 'true' | 'false';
  @ApiPropertyOptional() @IsOptional() @IsString() @IsNotEmpty() orderId?: string;
}
