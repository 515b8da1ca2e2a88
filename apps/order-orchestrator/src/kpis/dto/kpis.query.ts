import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';

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
}
