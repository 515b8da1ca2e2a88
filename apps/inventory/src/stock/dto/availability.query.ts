import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { ID_PATTERN } from '@fil/contracts';
import { NearPointQuery } from '@fil/platform';

const list = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value);

/** `GET /availability`: several SKUs, optionally near a point (at most `limit` locations, 20 by default). */
export class AvailabilityQuery extends NearPointQuery {
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
}
