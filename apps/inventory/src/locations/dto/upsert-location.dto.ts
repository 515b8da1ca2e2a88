import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { CLOCK_TIME, IsId, MAX_DAILY_CAPACITY, MAX_PRIORITY } from '@fil/contracts';
import { LOCATION_TYPES, type LocationProfile, type LocationType } from '../location.entity';

/** HH:MM strings compare as times; a location open past midnight is not modelled. */
const ClosesAfterOpening = () =>
  ValidateBy({
    name: 'closesAfterOpening',
    validator: {
      validate: (closesAt, args) => typeof closesAt !== 'string' || typeof (args?.object as UpsertLocationDto).opensAt !== 'string' || closesAt > (args?.object as UpsertLocationDto).opensAt!,
      defaultMessage: () => 'closesAt must be after opensAt',
    },
  });

export class UpsertLocationDto implements LocationProfile {
  @ApiPropertyOptional({ example: 'ST-LYON', description: "The location as GET answers it may be sent back: its id, when given, must be the path's" })
  @IsOptional()
  @IsId()
  id?: string;

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

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, maximum: MAX_DAILY_CAPACITY, description: 'Fulfillments it may start per day; absent or null = unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DAILY_CAPACITY)
  dailyCapacity?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: -MAX_PRIORITY, maximum: MAX_PRIORITY, description: 'Routing tie-break, lower first' })
  @IsOptional()
  @IsInt()
  @Min(-MAX_PRIORITY)
  @Max(MAX_PRIORITY)
  priority?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, maximum: 720, description: 'Hours to prepare an order before it leaves or is ready at the counter (delivery promise); absent or null = FIL_PROMISE_PROCESSING_HOURS' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(720)
  processingHours?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, maximum: 23, description: 'Hour (UTC) after which what is ready leaves the next day; absent or null = FIL_PROMISE_CUTOFF_HOUR' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(23)
  cutOffHour?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '09:00', description: 'Opening time, HH:MM UTC; absent or null = midnight' })
  @IsOptional()
  @Matches(CLOCK_TIME, { message: 'opensAt must be a time HH:MM' })
  opensAt?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '20:00', description: 'Closing time, HH:MM UTC, after opensAt; absent or null = midnight at the end of the day' })
  @IsOptional()
  @Matches(CLOCK_TIME, { message: 'closesAt must be a time HH:MM' })
  @ClosesAfterOpening()
  closesAt?: string | null;
}
