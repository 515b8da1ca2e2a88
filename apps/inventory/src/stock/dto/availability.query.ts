import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsNumber, IsOptional, Matches, Max, Min, ValidateIf } from 'class-validator';
import { ID_PATTERN } from '@fil/contracts';

const list = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value);

/** `GET /availability`: several SKUs, optionally near a point. */
export class AvailabilityQuery {
  @ApiProperty({ example: 'SKU-0001,SKU-0002', description: 'comma-separated SKUs' })
  @Transform(list)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(ID_PATTERN, { each: true, message: 'each sku must be 1-64 letters, digits, dots, dashes or underscores' })
  skus: string[];

  @ApiPropertyOptional({ example: '2,1', description: 'quantities wanted, aligned with skus (default 1 each)' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map(Number) : value))
  @IsInt({ each: true })
  @Min(1, { each: true })
  quantities?: number[];

  @ApiPropertyOptional({ example: 48.8566 })
  @ValidateIf((query: AvailabilityQuery) => query.lng !== undefined || query.lat !== undefined)
  @Type(() => Number)
  @IsNumber()
  @Min(-90)
  @Max(90)
  lat?: number;

  @ApiPropertyOptional({ example: 2.3522 })
  @ValidateIf((query: AvailabilityQuery) => query.lat !== undefined || query.lng !== undefined)
  @Type(() => Number)
  @IsNumber()
  @Min(-180)
  @Max(180)
  lng?: number;

  @ApiPropertyOptional({ example: 50, description: 'only locations within this distance of lat/lng' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  radiusKm?: number;

  @ApiPropertyOptional({ example: 10, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
