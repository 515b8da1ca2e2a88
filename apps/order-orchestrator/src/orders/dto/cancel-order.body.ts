import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `POST /orders/{id}/cancel`. */
export class CancelOrderBody {
  @ApiProperty({ example: 'customer changed their mind' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}
