import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MAX_STOCK_UNITS } from '@fil/contracts';

export class SetStockDto {
  @ApiProperty({ minimum: 0, maximum: MAX_STOCK_UNITS, description: 'Units physically at the location; may not be below what is reserved' })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_UNITS)
  onHand: number;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_STOCK_UNITS, description: 'Units kept for walk-in shoppers; unchanged when absent' })
  // Absent keeps it; null would say neither "keep" nor a count, so it is refused.
  @ValidateIf((dto: SetStockDto) => dto.safetyStock !== undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_UNITS)
  safetyStock?: number;
}
