import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsId, MAX_SHORT_PICK_REASON_LENGTH, SHORT_PICK_REASONS, type ShortPickReason } from '@fil/contracts';

export class PickLineDto {
  @ApiProperty({ example: 'SKU-1' }) @IsId() sku: string;
  @ApiProperty({ description: 'quantity found', example: 2 }) @IsInt() @Min(0) quantity: number;
  @ApiPropertyOptional({
    maxLength: MAX_SHORT_PICK_REASON_LENGTH,
    description: `why fewer were found, required when short: any short text, such as ${SHORT_PICK_REASONS.join(' or ')}`,
    example: 'NOT_FOUND',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SHORT_PICK_REASON_LENGTH)
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
