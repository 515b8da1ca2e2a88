import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MAX_STOCK_UNITS } from '@fil/contracts';

export class SetStockDto {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_STOCK_UNITS, description: 'Units physically at the location; may not be below what is reserved; unchanged when absent (then safetyStock is required)' })
  // Required only when it is all the body could say: a body of the safety stock alone keeps the count.
  @ValidateIf((dto: SetStockDto) => dto.onHand !== undefined || dto.safetyStock === undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_UNITS)
  onHand?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_STOCK_UNITS, description: 'Units kept for walk-in shoppers; unchanged when absent' })
  // Absent keeps it; null would say neither "keep" nor a count, so it is refused.
  @ValidateIf((dto: SetStockDto) => dto.safetyStock !== undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_UNITS)
  safetyStock?: number;
}
