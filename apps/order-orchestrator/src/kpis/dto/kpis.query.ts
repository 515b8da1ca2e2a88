import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { BUCKETS, type Bucket } from '../kpis.service';

/** The window of order creation times the KPIs cover: [from, to), by default the last 24 hours. */
export class KpisQuery {
  @ApiPropertyOptional({ description: 'ISO 8601 date-time, inclusive; default: 24 hours before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 date-time, exclusive; default: now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: Object.keys(BUCKETS), description: 'Also the total figures per hour or per day of the window, for charts (at most 200 buckets)' })
  @IsOptional()
  @IsIn(Object.keys(BUCKETS))
  bucket?: Bucket;
}
