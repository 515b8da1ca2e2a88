import { ApiProperty } from '@nestjs/swagger';
import type { SkuReplenishment, SuggestedTransfer } from '../replenishment-plan';

export class SuggestedTransferView implements SuggestedTransfer {
  @ApiProperty() fromLocationId: string;
  @ApiProperty() quantity: number;
  @ApiProperty() distanceKm: number;
}

export class SkuReplenishmentView implements SkuReplenishment {
  @ApiProperty() sku: string;
  @ApiProperty() onHand: number;
  @ApiProperty() atp: number;
  @ApiProperty({ description: 'Units out over the window: committed reservations (orders served) and point-of-sale decreases (DELTA adjustments below the previous count)' }) unitsOut: number;
  @ApiProperty({ description: 'unitsOut / windowDays' }) velocityPerDay: number;
  @ApiProperty({ type: Number, nullable: true, description: 'atp / velocityPerDay; null when nothing sold' }) daysOfCover: number | null;
  @ApiProperty({ description: 'Units to cover leadTimeDays + coverDays of sales beyond the ATP' }) need: number;
  @ApiProperty({ type: [SuggestedTransferView], description: 'From the nearest locations whose ATP exceeds their own need' }) transfers: SuggestedTransferView[];
  @ApiProperty({ description: 'need less the suggested transfers: to order from the supplier' }) suggestedOrder: number;
}

export class ReplenishmentView {
  @ApiProperty() locationId: string;
  @ApiProperty() windowDays: number;
  @ApiProperty() leadTimeDays: number;
  @ApiProperty() coverDays: number;
  @ApiProperty({ description: 'Start of the window' }) since: string;
  @ApiProperty({ type: [SkuReplenishmentView], description: 'Most urgent first (fewest days of cover)' }) skus: SkuReplenishmentView[];
}
