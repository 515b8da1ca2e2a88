import { ApiProperty } from '@nestjs/swagger';
import { LOCATION_TYPES, type Location, type LocationType } from '../location.entity';

export class LocationView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: LOCATION_TYPES }) type: LocationType;
  @ApiProperty() lat: number;
  @ApiProperty() lng: number;
  @ApiProperty() ship: boolean;
  @ApiProperty() pickup: boolean;
  @ApiProperty() reserve: boolean;
  @ApiProperty({ type: Number, nullable: true }) dailyCapacity: number | null;
  @ApiProperty({ type: Number, nullable: true }) priority: number | null;
  @ApiProperty({ type: Number, nullable: true }) processingHours: number | null;
  @ApiProperty({ type: Number, nullable: true }) cutOffHour: number | null;
  @ApiProperty({ type: String, nullable: true }) opensAt: string | null;
  @ApiProperty({ type: String, nullable: true }) closesAt: string | null;

  static of(location: Location): LocationView {
    const { id, name, type, lat, lng, ship, pickup, reserve, dailyCapacity, priority, processingHours, cutOffHour, opensAt, closesAt } = location;
    return { id, name, type, lat, lng, ship, pickup, reserve, dailyCapacity, priority, processingHours, cutOffHour, opensAt, closesAt };
  }
}
