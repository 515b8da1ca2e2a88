import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsDefined, IsInt, IsObject, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { MAX_ORDERS } from '../recorded-decisions';
import { PolicyDocumentBody } from './routing-policy.document';

/** `POST /routing/simulations`: a proposed policy and the recorded orders to replay under it. */
export class SimulationBody {
  @ApiProperty({ type: PolicyDocumentBody, description: 'The proposed policy document, as PUT /routing/policies takes it' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PolicyDocumentBody)
  policy: PolicyDocumentBody;

  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'Orders created from then (inclusive)' }) @IsOptional() @Type(() => Date) @IsDate() from?: Date;
  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Orders created before then' }) @IsOptional() @Type(() => Date) @IsDate() to?: Date;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_ORDERS, description: `The newest orders at most: by default 1000, or ${MAX_ORDERS} within from/to` })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ORDERS)
  orders?: number;
}
