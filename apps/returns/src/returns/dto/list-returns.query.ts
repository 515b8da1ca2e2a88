import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsId, RETURN_STATUSES } from '@fil/contracts';

const STATUS_LIST = new RegExp(`^(${RETURN_STATUSES.join('|')})(,(${RETURN_STATUSES.join('|')}))*$`);

/** `GET /returns`: a location's returns (expected there or received there), narrowed by status or order. */
export class ListReturnsQuery {
  @ApiPropertyOptional({ example: 'store-lyon-part-dieu', description: 'Returns received at this location, or not received yet and expected there' })
  @IsOptional()
  @IsId()
  locationId?: string;
  @ApiPropertyOptional({ description: `one or more of ${RETURN_STATUSES.join(', ')}, comma-separated`, example: 'REQUESTED' })
  @IsOptional()
  @Matches(STATUS_LIST, { message: `status must be one or more of ${RETURN_STATUSES.join(', ')}, comma-separated` })
  status?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) orderId?: string;
}
