import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { AllocationLine } from '@fil/contracts';
import type { RoutingInputs } from '../routing/routing-inputs';

/** A routing decision kept for the order: the explanation, what was decided and why it was asked. */
export interface RoutingRecord {
  at: string;
  cause: string;
  lines: AllocationLine[];
  outcome: 'ALLOCATE' | 'REJECT' | 'BACKORDER';
  allocations: { locationId: string; kind: string; lines: AllocationLine[] }[];
  backordered: AllocationLine[];
  explanation: unknown;
  /** What the decision saw, for the routing simulator; absent on decisions recorded before it was kept. */
  inputs?: RoutingInputs;
}

/**
 * One decision of an order's routing history, in a table of its own: the history is only
 * appended to and read by people and reports, so the saga never loads it with the order.
 */
@Entity({ tableName: 'routing_decision' })
export class OrderRoutingRecord {
  @PrimaryKey({ type: 'string', columnType: 'text' }) orderId: string;
  /** The decision's place in the order's history, from 0: the first is the one the simulator replays. */
  @PrimaryKey({ type: 'integer' }) seq: number;
  @Property({ type: 'json' }) record: RoutingRecord;

  constructor(orderId: string, seq: number, record: RoutingRecord) {
    this.orderId = orderId;
    this.seq = seq;
    this.record = record;
  }
}
