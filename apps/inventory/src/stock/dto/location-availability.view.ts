import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LOCATION_TYPES, type LocationType } from '../../locations/location.entity';

class CapabilitiesView {
  @ApiProperty() ship: boolean;
  @ApiProperty() pickup: boolean;
  @ApiProperty() reserve: boolean;
}

class SkuAtpView {
  @ApiProperty() sku: string;
  @ApiProperty() atp: number;
}

/** One location's answer in `GET /availability`. */
export class LocationAvailabilityView {
  @ApiProperty() locationId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: LOCATION_TYPES }) type: LocationType;
  @ApiPropertyOptional({ description: 'from the point asked about, when one was given' }) distanceKm?: number;
  @ApiProperty() capabilities: CapabilitiesView;
  @ApiProperty({ type: [SkuAtpView], description: 'one per SKU asked for, in the order asked' }) lines: SkuAtpView[];
  @ApiProperty({ description: 'whether this location alone has every SKU in the wanted quantity' }) coversAll: boolean;
}
