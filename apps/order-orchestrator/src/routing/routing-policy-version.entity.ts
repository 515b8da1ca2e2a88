import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { PolicyDocument } from './routing-policy';

/** One version of the routing policy document: written once, never changed, the next change is version n+1. */
@Entity({ tableName: 'routing_policy_version' })
export class RoutingPolicyVersion {
  @PrimaryKey({ type: 'integer', autoincrement: false }) version: number;
  @Property({ type: 'json' }) document: PolicyDocument;
  /** The token's subject, or `FIL_ROUTING_POLICIES` / `defaults` for the seed. */
  @Property({ type: 'string', columnType: 'text' }) createdBy: string;
  @Property({ type: 'Date', columnType: 'timestamptz' }) createdAt: Date;

  constructor(version: number, document: PolicyDocument, createdBy: string) {
    this.version = version;
    this.document = document;
    this.createdBy = createdBy;
    this.createdAt = new Date();
  }
}
