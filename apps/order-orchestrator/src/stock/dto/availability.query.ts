import { ApiProperty } from '@nestjs/swagger';
import { NearPointQuery, SkuList } from '@fil/platform';

/** `GET /availability`: the view's rows for some SKUs; near a point, nearest location first (`limit` counts locations). */
export class AvailabilityQuery extends NearPointQuery {
  @ApiProperty({ type: String, description: 'Comma-separated SKUs', example: 'SKU-TSHIRT,SKU-JEANS' })
  @SkuList()
  skus: string[];
}
