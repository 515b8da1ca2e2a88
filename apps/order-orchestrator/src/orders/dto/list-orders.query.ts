import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '@fil/contracts';

/** Customer service looks a customer up; ops list the orders in one status (NEEDS_ATTENTION first of all). */
export class ListOrdersQuery {
  @ApiPropertyOptional({ description: "The customer's id as the channel sent it", example: 'CUST-42' })
  @ValidateIf((query: ListOrdersQuery) => query.status === undefined)
  @IsString({ message: 'customerId or status is required' })
  @IsNotEmpty()
  @MaxLength(200)
  customerId?: string;

  @ApiPropertyOptional({ enum: ORDER_STATUSES, example: 'NEEDS_ATTENTION' })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}
