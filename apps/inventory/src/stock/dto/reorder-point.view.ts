import { ApiProperty } from '@nestjs/swagger';

/** A SKU at a location against its reorder point. */
export class ReorderPointView {
  @ApiProperty() locationId: string;
  @ApiProperty() sku: string;
  @ApiProperty({ type: Number, nullable: true, description: "The row's own reorder point; null when it takes the default" }) reorderPoint: number | null;
  @ApiProperty({ description: 'The reorder point in force: its own, or FIL_REORDER_POINT_DEFAULT' }) effectiveReorderPoint: number;
  @ApiProperty() atp: number;
  @ApiProperty({ description: 'Whether the last alert was StockLow (ATP at or below the reorder point)' }) low: boolean;
}
