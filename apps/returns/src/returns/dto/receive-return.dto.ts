import { ApiProperty } from '@nestjs/swagger';
import { INSPECTION_CONDITIONS, type InspectionCondition } from '@fil/contracts';

// Validation lives on the contract DTO (ReceiveReturnDto in @fil/contracts); these classes only describe it in /docs.

export class ReceivedLineBody {
  @ApiProperty({ example: 'SKU-1' }) sku: string;
  @ApiProperty({ minimum: 0, example: 1 }) quantity: number;
  @ApiProperty({ enum: INSPECTION_CONDITIONS }) condition: InspectionCondition;
}

export class ReceiveReturnBody {
  @ApiProperty({ example: 'store-paris', description: 'Any location id (letters, digits, . _ -)' }) locationId: string;
  @ApiProperty({ type: [ReceivedLineBody] }) lines: ReceivedLineBody[];
}
