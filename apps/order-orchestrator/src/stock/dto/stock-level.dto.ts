import { IsInt, Matches, Min } from 'class-validator';
import { ID_PATTERN, type StockLevel } from '@fil/contracts';

/** A value of `fil.inventory.stock-levels.v1`, checked before it enters the stock view. */
export class StockLevelDto implements StockLevel {
  @Matches(ID_PATTERN) locationId: string;
  @Matches(ID_PATTERN) sku: string;
  @IsInt() @Min(0) onHand: number;
  @IsInt() @Min(0) reserved: number;
  @IsInt() @Min(0) safetyStock: number;
  @IsInt() @Min(0) atp: number;
}
