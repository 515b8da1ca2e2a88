import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { NearPointQuery, QuantityList, SkuList } from '@fil/platform';

/** `GET /availability`: several SKUs, optionally near a point (at most `limit` locations, 20 by default). */
export class AvailabilityQuery extends NearPointQuery {
  @ApiProperty({ type: String, example: 'SKU-0001,SKU-0002', description: 'comma-separated SKUs' })
  @SkuList()
  skus: string[];

  @ApiPropertyOptional({ type: String, example: '2,1', description: 'quantities wanted, aligned with skus (default 1 each)' })
  @QuantityList()
  quantities?: number[];
}
