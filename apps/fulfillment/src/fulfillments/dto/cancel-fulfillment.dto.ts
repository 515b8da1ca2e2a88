import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `fil.fulfillment.commands.v1`, ce_type `CancelFulfillment`: the order was cancelled. */
export class CancelFulfillmentDto {
  @IsString() @IsNotEmpty() @MaxLength(200) fulfillmentId: string;
  @IsString() @IsNotEmpty() @MaxLength(100) orderId: string;
  @IsString() @IsNotEmpty() @MaxLength(500) reason: string;
}
