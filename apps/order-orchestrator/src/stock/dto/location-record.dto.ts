import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { CLOCK_TIME, IsId, MAX_DAILY_CAPACITY, MAX_PRIORITY, type LocationRecord } from '@fil/contracts';

/** A value of `fil.inventory.locations.v1`, checked before routing relies on it. */
export class LocationRecordDto implements LocationRecord {
  @IsId() id: string;
  @IsString() name: string;
  @IsIn(['WAREHOUSE', 'STORE']) type: 'WAREHOUSE' | 'STORE';
  @IsNumber() @Min(-90) @Max(90) lat: number;
  @IsNumber() @Min(-180) @Max(180) lng: number;
  @IsBoolean() ship: boolean;
  @IsBoolean() pickup: boolean;
  @IsBoolean() reserve: boolean;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_DAILY_CAPACITY) dailyCapacity: number | null;
  @IsOptional() @IsInt() @Min(-MAX_PRIORITY) @Max(MAX_PRIORITY) priority: number | null;
  @IsOptional() @IsInt() @Min(0) @Max(720) processingHours?: number | null;
  @IsOptional() @IsInt() @Min(0) @Max(23) cutOffHour?: number | null;
  @IsOptional() @Matches(CLOCK_TIME) opensAt?: string | null;
  @IsOptional() @Matches(CLOCK_TIME) closesAt?: string | null;
}
