import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsNumber, IsPositive, Max, ValidateNested } from 'class-validator';

export class ParcelDto {
  @ApiProperty({ example: 1.2, exclusiveMinimum: true, minimum: 0, maximum: 1_000 }) @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive() @Max(1_000) weightKg: number;
}

/** `POST /fulfillments/{id}/pack`: the parcels the goods went into. */
export class PackFulfillmentDto {
  @ApiProperty({ type: [ParcelDto], minItems: 1, maxItems: 100 })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ParcelDto)
  parcels: ParcelDto[];
}
