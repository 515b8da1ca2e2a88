import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsIdList } from '@fil/contracts';
import { NearPointQuery } from '@fil/platform';

/** `GET /availability`: the view's rows for some SKUs; near a point, nearest location first (`limit` counts locations). */
export class AvailabilityQuery extends NearPointQuery {
  @ApiProperty({ description: 'Comma-separated SKUs', example: 'SKU-TSHIRT,SKU-JEANS' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2_000)
  @IsIdList()
  skus: string;
}
