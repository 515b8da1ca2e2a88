import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_DAILY_CAPACITY, MAX_PRIORITY } from '@fil/contracts';
import { LOCATION_TYPES, type LocationProfile, type LocationType } from '../location.entity';

export class UpsertLocationDto implements LocationProfile {
  @ApiProperty({ example: 'Lyon Part-Dieu' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: LOCATION_TYPES })
  @IsIn(LOCATION_TYPES, { message: `type must be one of ${LOCATION_TYPES.join(', ')}` })
  type: LocationType;

  @ApiProperty({ minimum: -90, maximum: 90 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  lat: number;

  @ApiProperty({ minimum: -180, maximum: 180 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  lng: number;

  @ApiProperty({ description: 'Can ship parcels' }) @IsBoolean() ship: boolean;
  @ApiProperty({ description: 'Has a click & collect counter' }) @IsBoolean() pickup: boolean;
  @ApiProperty({ description: 'Accepts e-reservations' }) @IsBoolean() reserve: boolean;

  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: MAX_DAILY_CAPACITY, description: 'Fulfillments it may start per day; absent or null = unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DAILY_CAPACITY)
  dailyCapacity?: number | null;

  @ApiPropertyOptional({ nullable: true, minimum: -MAX_PRIORITY, maximum: MAX_PRIORITY, description: 'Routing tie-break, lower first' })
  @IsOptional()
  @IsInt()
  @Min(-MAX_PRIORITY)
  @Max(MAX_PRIORITY)
  priority?: number | null;
}
