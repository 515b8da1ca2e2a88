import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { IsId } from '@fil/contracts';

export class ReplenishmentQuery {
  @ApiProperty({ description: 'The location to replenish' })
  @IsId()
  locationId: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 28, description: 'Days of recorded movements the sales velocity is taken over' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  windowDays = 28;

  @ApiPropertyOptional({ minimum: 0, maximum: 365, default: 7, description: 'Days an order or a transfer takes to arrive' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(365)
  leadTimeDays = 7;

  @ApiPropertyOptional({ minimum: 0, maximum: 365, default: 14, description: 'Days of sales the stock should cover once it arrives' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(365)
  coverDays = 14;
}
