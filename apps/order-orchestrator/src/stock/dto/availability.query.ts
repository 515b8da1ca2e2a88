import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class AvailabilityQuery {
  @ApiProperty({ description: 'Comma-separated SKUs', example: 'SKU-TSHIRT,SKU-JEANS' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2_000)
  skus: string;
}
