import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `POST /fulfillments/{id}/ship`: who carries the parcels and how to follow them. */
export class ShipFulfillmentDto {
  @ApiProperty({ example: 'DHL', minLength: 1, maxLength: 100 }) @IsString() @IsNotEmpty() @MaxLength(100) carrier: string;
  @ApiProperty({ example: 'JD0001', minLength: 1, maxLength: 200 }) @IsString() @IsNotEmpty() @MaxLength(200) trackingNumber: string;
}
