import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { OptionalBody } from '@fil/platform';

/** `POST /orders/{id}/cancel`: PRODUCT.md names no body, so the reason may be left out (the body too). */
export class CancelOrderBody extends OptionalBody {
  @ApiPropertyOptional({ example: 'customer changed their mind', description: 'Left out: "cancelled by <the caller\'s sub>"' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}
