import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RETURN_STATUSES, type Refund } from '@fil/contracts';
import type { InspectedLine } from '../refund';
import { ReceivedLineBody } from './receive-return.dto';
import { ReturnLineBody } from './request-return.dto';
import type { Return, ReturnLine, ReturnStatus } from '../return.entity';

/** A return as `GET /returns/{id}` shows it. */
export class ReturnView {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'The same as id, by the name POST /returns and fil.refunds.v1 give it' }) returnId: string;
  @ApiProperty() orderId: string;
  @ApiProperty({ enum: RETURN_STATUSES }) status: ReturnStatus;
  @ApiProperty({ type: [ReturnLineBody] }) lines: ReturnLine[];
  @ApiPropertyOptional({ description: 'Where the customer said they will bring it' }) expectedLocationId?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Why a request arriving over Kafka was rejected: {reason, message}' })
  rejection?: { reason: string; message?: string };
  @ApiPropertyOptional({ type: [ReceivedLineBody] }) inspection?: InspectedLine[];
  @ApiPropertyOptional() receivedAt?: string;
  @ApiPropertyOptional() receivedLocationId?: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: 'DAMAGED units written off at the receiving location: {sku, quantity, locationId}' })
  writtenOff?: { sku: string; quantity: number; locationId: string }[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The refund published on fil.refunds.v1' }) refund?: Refund;
  @ApiProperty() createdAt: string;

  /** Loaded rows hold null where a new entity holds undefined; both are left out of the answer. */
  static of(ret: Return): ReturnView {
    return {
      id: ret.id,
      returnId: ret.id,
      orderId: ret.orderId,
      status: ret.status,
      lines: ret.lines,
      expectedLocationId: ret.expectedLocationId ?? undefined,
      rejection: ret.rejectionReason ? { reason: ret.rejectionReason, message: ret.rejectionMessage ?? undefined } : undefined,
      inspection: ret.inspection ?? undefined,
      receivedAt: ret.receivedAt?.toISOString(),
      receivedLocationId: ret.receivedLocationId ?? undefined,
      writtenOff: ret.inspection
        ? ret.inspection.filter((line) => line.condition === 'DAMAGED').map(({ sku, quantity }) => ({ sku, quantity, locationId: ret.receivedLocationId! }))
        : undefined,
      refund: ret.refund ?? undefined,
      createdAt: ret.createdAt.toISOString(),
    };
  }
}
