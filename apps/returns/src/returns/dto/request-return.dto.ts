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
  @ApiProperty({ type: [ReturnLineBody] }) lines: ReturnLineBody[];
}
