import { ApiProperty } from '@nestjs/swagger';
import type { StockLevel } from '@fil/contracts';

/** The figures of one SKU at one location, as published on the stock-levels topic. */
export class StockLevelView implements StockLevel {
  @ApiProperty() locationId: string;
  @ApiProperty() sku: string;
  @ApiProperty() onHand: number;
  @ApiProperty() reserved: number;
  @ApiProperty() safetyStock: number;
  @ApiProperty({ description: 'max(0, onHand - reserved - safetyStock)' }) atp: number;
}
