import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class ListOrdersQuery {
  @ApiProperty({ description: "The customer's id as the channel sent it", example: 'CUST-42' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  customerId: string;
}
