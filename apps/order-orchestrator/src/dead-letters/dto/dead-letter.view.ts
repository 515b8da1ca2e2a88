import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A message a service could not accept, as it lies on fil.dlq.v1, and whether ops re-sent it from here. */
export class DeadLetterView {
  @ApiProperty({ description: 'partition:offset on fil.dlq.v1', example: '2:17' }) id: string;
  @ApiProperty({ description: 'The topic the message came on, where a redrive sends it', example: 'fil.orders.submitted.v1' }) originalTopic: string;
  @ApiProperty() partition: number;
  @ApiProperty() offset: string;
  @ApiPropertyOptional({ type: String, nullable: true }) key: string | null;
  @ApiProperty({ description: 'The service that refused it, as it names itself (its consumer group is fil.<service>)', example: 'orders' }) consumer: string;
  @ApiProperty({ example: 'value is not valid JSON: Unexpected token' }) reason: string;
  @ApiProperty({ description: 'When it was refused (ISO 8601)' }) rejectedAt: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) headers: Record<string, string>;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'The value as text, its first 4 KiB when larger' }) value: string | null;
  @ApiProperty() valueBytes: number;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'SHA-256 of the whole value (hex)' }) valueSha256: string | null;
  @ApiProperty({ description: 'Key, headers or value were cut: a redrive reads the original from its topic' }) truncated: boolean;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'When it was re-sent over HTTP, if it was' }) redrivenAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Who re-sent it (the token subject)' }) redrivenBy: string | null;
}

/** What a redrive did. */
export class RedriveView {
  @ApiProperty({ example: '2:17' }) id: string;
  @ApiProperty({ description: 'Where the original message was sent again', example: 'fil.orders.submitted.v1' }) redrivenTo: string;
  @ApiProperty({ description: 'The service that handles it once, having dead-lettered it', example: 'orders' }) consumer: string;
  @ApiProperty() redrivenAt: string;
  @ApiProperty() redrivenBy: string;
}
