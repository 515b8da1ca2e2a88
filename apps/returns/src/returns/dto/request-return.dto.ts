import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// Validation lives on the contract DTO (RequestReturnDto in @fil/contracts); these classes only describe it in /docs.

export class ReturnLineBody {
  @ApiProperty({ example: 'SKU-1' }) sku: string;
  @ApiProperty({ minimum: 1, example: 1 }) quantity: number;
  @ApiPropertyOptional({ example: 'TOO_SMALL' }) reason?: string;
}

export class RequestReturnBody {
  @ApiPropertyOptional({ description: 'Idempotency key; generated (uuid) when absent' }) returnId?: string;
  @ApiProperty({ example: 'order-1' }) orderId: string;
  @ApiPropertyOptional({ example: 'store-paris', description: "Where the customer will bring it: a warehouse or a store with pickup; that location's staff list it to receive. Any such location may still receive it." })
  locationId?: string;
  @ApiProperty({ type: [ReturnLineBody] }) lines: ReturnLineBody[];
}
