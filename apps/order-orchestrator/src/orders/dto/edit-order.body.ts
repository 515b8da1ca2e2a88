import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { EditOrderDto, type AddressDto, type OrderLineDto } from '@fil/contracts';

/** `POST /orders/{id}/edit`: EditOrder without the orderId (the path's); its rules are EditOrderDto's. */
export class EditOrderBody extends OmitType(EditOrderDto, ['orderId', 'editId'] as const) {
  @ApiPropertyOptional({ description: 'Idempotency key: the same editId again changes nothing (one is made up when absent)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  editId?: string;

  @ApiPropertyOptional({
    description: 'The whole new basket, `[{lineId, sku, quantity, unitPrice}]`: a line left out is cancelled, a lower quantity cancels units',
    type: 'array',
    items: { type: 'object', required: ['lineId', 'sku', 'quantity', 'unitPrice'], properties: { lineId: { type: 'string' }, sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 }, unitPrice: { type: 'number', minimum: 0 } } },
  })
  declare lines?: OrderLineDto[];

  @ApiPropertyOptional({ description: 'Home delivery: the new address `{lat, lng, street?, city?, postalCode?, country?}`', type: 'object', additionalProperties: true })
  declare shippingAddress?: AddressDto;

  @ApiPropertyOptional({ description: 'Click & collect or e-reservation: the new pickup store' })
  declare pickupLocationId?: string;

  @ApiPropertyOptional({ maxLength: 500, description: 'Why, for the timeline' })
  declare reason?: string;
}
