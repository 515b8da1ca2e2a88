import { IsBoolean, IsIn } from 'class-validator';
import { IsId, type LocationRecord } from '@fil/contracts';

/** What returns reads of a `fil.inventory.locations.v1` value: where a return may be received. */
export class LocationProfileDto implements Pick<LocationRecord, 'id' | 'type' | 'pickup'> {
  @IsId() id: string;
  @IsIn(['WAREHOUSE', 'STORE']) type: 'WAREHOUSE' | 'STORE';
  @IsBoolean() pickup: boolean;
}
