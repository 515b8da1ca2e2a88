import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, Max, Min, ValidateIf } from 'class-validator';

/** The part of a query about places near a point: `lat` and `lng` together, a radius and a count of places. */
export class NearPointQuery {
  @ApiPropertyOptional({ example: 48.8566, description: 'with lng: places nearest this point first, each with its distanceKm' })
  @ValidateIf((query: NearPointQuery) => query.lng !== undefined || query.lat !== undefined)
  @Type(() => Number)
  @IsNumber()
  @Min(-90)
  @Max(90)
  lat?: number;

  @ApiPropertyOptional({ example: 2.3522 })
  @ValidateIf((query: NearPointQuery) => query.lat !== undefined || query.lng !== undefined)
  @Type(() => Number)
  @IsNumber()
  @Min(-180)
  @Max(180)
  lng?: number;

  @ApiPropertyOptional({ example: 50, description: 'only places within this distance of lat/lng' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  radiusKm?: number;

  @ApiPropertyOptional({ example: 10, description: 'at most this many places' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

/** The point a query names, if any; a radius without one is refused (400). */
export function pointOf(query: NearPointQuery): { lat: number; lng: number } | undefined {
  if (query.radiusKm !== undefined && query.lat === undefined) throw new BadRequestException('radiusKm needs lat and lng');
  return query.lat !== undefined && query.lng !== undefined ? { lat: query.lat, lng: query.lng } : undefined;
}
