import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MAX_STOCK_UNITS } from '@fil/contracts';

export class SetReorderPointDto {
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: MAX_STOCK_UNITS, description: 'StockLow when ATP falls to this many units or below; null: back to FIL_REORDER_POINT_DEFAULT' })
  @ValidateIf((body: SetReorderPointDto) => body.reorderPoint !== null)
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_UNITS)
  reorderPoint: number | null;
}
