import { IsInt, Max, Min } from 'class-validator';
import { IsId, MAX_STOCK_UNITS, type StockLevel } from '@fil/contracts';

/** A value of `fil.inventory.stock-levels.v1`, checked before it enters the stock view. */
export class StockLevelDto implements StockLevel {
  @IsId() locationId: string;
  @IsId() sku: string;
  @IsInt() @Min(0) @Max(MAX_STOCK_UNITS) onHand: number;
  @IsInt() @Min(0) @Max(MAX_STOCK_UNITS) reserved: number;
  @IsInt() @Min(0) @Max(MAX_STOCK_UNITS) safetyStock: number;
  @IsInt() @Min(0) @Max(MAX_STOCK_UNITS) atp: number;
}
