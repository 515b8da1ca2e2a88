import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';

export class PickLineDto {
  @ApiProperty({ example: 'SKU-1' }) @IsString() @IsNotEmpty() @MaxLength(100) sku: string;
  @ApiProperty({ description: 'quantity found', example: 2 }) @IsInt() @Min(0) quantity: number;
  @ApiPropertyOptional({ description: 'why fewer were found, e.g. NOT_FOUND or DAMAGED', example: 'NOT_FOUND' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}

/** `POST /fulfillments/{id}/pick`: what staff found, one line per SKU. */
export class PickFulfillmentDto {
  @ApiProperty({ type: [PickLineDto] })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PickLineDto)
  lines: PickLineDto[];
}
