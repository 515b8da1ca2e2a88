import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class PromiseLine {
  @ApiProperty() sku: string;
  @ApiProperty() quantity: number;
}

class PromisedShipment {
  @ApiProperty() locationId: string;
  @ApiProperty({ enum: ['SHIP', 'PICKUP', 'TRANSFER'] }) kind: 'SHIP' | 'PICKUP' | 'TRANSFER';
  @ApiProperty({ type: [PromiseLine] }) lines: PromiseLine[];
  @ApiPropertyOptional({ description: 'Home delivery: the day this parcel arrives (YYYY-MM-DD, UTC)' }) estimatedDelivery?: string;
}

export class HomeDeliveryPromise {
  @ApiProperty({ description: 'Every line can be shipped now' }) available: boolean;
  @ApiPropertyOptional({ description: 'Why not, as routing says it (a rejection code, or PARTIAL when some lines would be backordered)' }) reason?: string;
  @ApiProperty({ type: [PromisedShipment] }) shipments: PromisedShipment[];
  @ApiProperty({ type: [PromiseLine] }) backordered: PromiseLine[];
  @ApiProperty({ type: String, nullable: true, description: 'The last parcel\'s day (YYYY-MM-DD, UTC)' }) estimatedDelivery: string | null;
}

export class ClickAndCollectPromise {
  @ApiProperty() storeId: string;
  @ApiProperty() available: boolean;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty({ type: [PromisedShipment], description: 'PICKUP from the store itself, TRANSFER from elsewhere' }) parts: PromisedShipment[];
  @ApiProperty({ type: String, nullable: true, description: 'When the whole order is ready at the counter (ISO 8601, within opening hours)' }) readyAt: string | null;
}

class ReservableStore {
  @ApiProperty() locationId: string;
  @ApiProperty() distanceKm: number;
  @ApiProperty({ description: 'When the reservation is ready to collect' }) readyAt: string;
}

export class EReservationPromise {
  @ApiProperty({ type: [ReservableStore], description: 'Up to five stores with e-reservation that hold the whole basket, nearest first' }) stores: ReservableStore[];
  @ApiPropertyOptional({ description: 'The chosen store: whether it can hold the whole basket' }) atStore?: { storeId: string; available: boolean; reason?: string };
}

export class PromiseView {
  @ApiProperty({ description: 'When the promise was made' }) at: string;
  @ApiProperty({ description: 'policy-v<n>: the routing policy a real order would use now' }) policyVersion: string;
  @ApiProperty({ type: [PromiseLine] }) lines: PromiseLine[];
  @ApiProperty({ type: HomeDeliveryPromise, nullable: true, description: 'Null without an address' }) homeDelivery: HomeDeliveryPromise | null;
  @ApiProperty({ type: ClickAndCollectPromise, nullable: true, description: 'Null without a store' }) clickAndCollect: ClickAndCollectPromise | null;
  @ApiProperty({ type: EReservationPromise }) eReservation: EReservationPromise;
}
