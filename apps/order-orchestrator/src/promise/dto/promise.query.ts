import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsId } from '@fil/contracts';
import { QuantityList, SkuList } from '@fil/platform';

export class PromiseQuery {
  @ApiProperty({ type: String, description: 'Comma-separated SKUs of the basket', example: 'SKU-TSHIRT,SKU-JEANS' })
  @SkuList()
  skus: string[];

  @ApiPropertyOptional({ type: String, description: 'Comma-separated quantities, one per SKU; 1 each when absent', example: '2,1' })
  @QuantityList()
  quantities?: number[];

  @ApiPropertyOptional({ description: "The customer's address, for home delivery and the stores near them" })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  lat?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  lng?: number;

  @ApiPropertyOptional({ description: 'The store chosen for click & collect or e-reservation' })
  @IsOptional()
  @IsId()
  storeId?: string;

  @ApiPropertyOptional({ description: "The channel whose routing policy applies (a channel token's own by default)" })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  channel?: string;
}
