import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_DEAD_LETTERS = 1000;

export class ListDeadLettersQuery {
  @ApiPropertyOptional({ description: `The newest this many, 1 to ${MAX_DEAD_LETTERS}`, default: 100, minimum: 1, maximum: MAX_DEAD_LETTERS })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be a whole number from 1 to ${MAX_DEAD_LETTERS}` })
  @Min(1, { message: `limit must be a whole number from 1 to ${MAX_DEAD_LETTERS}` })
  @Max(MAX_DEAD_LETTERS, { message: `limit must be a whole number from 1 to ${MAX_DEAD_LETTERS}` })
  limit?: number;
}
