import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Min } from 'class-validator';

export class SetStockDto {
  @ApiProperty({ minimum: 0, description: 'Units physically at the location; may not be below what is reserved' })
  @IsInt()
  @Min(0)
  onHand: number;

  @ApiPropertyOptional({ minimum: 0, description: 'Units kept for walk-in shoppers; unchanged when absent' })
  @IsOptional()
  @IsInt()
  @Min(0)
  safetyStock?: number;
}
