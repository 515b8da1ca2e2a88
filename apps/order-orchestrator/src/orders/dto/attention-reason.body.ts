import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `POST /orders/{id}/attention/release` and `…/resolve`: what the person checked or did, kept in the timeline. */
export class AttentionReasonBody {
  @ApiProperty({ example: 'WH-NEAR confirmed the parcel is still on the shelf' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}
