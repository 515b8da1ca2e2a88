import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsOptional, Min, ValidateNested } from 'class-validator';
import { IsId, SHORT_PICK_REASONS, type ShortPickReason } from '@fil/contracts';

export class PickLineDto {
  @ApiProperty({ example: 'SKU-1' }) @IsId() sku: string;
  @ApiProperty({ description: 'quantity found', example: 2 }) @IsInt() @Min(0) quantity: number;
  @ApiPropertyOptional({ enum: SHORT_PICK_REASONS, description: 'why fewer were found: required when short', example: 'NOT_FOUND' })
  @IsOptional()
  @IsIn(SHORT_PICK_REASONS)
  reason?: ShortPickReason;
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
