import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { OrderStatus } from '@fil/contracts';
import type { OrderStep } from './order.entity';

/** One line of an order's timeline: what it became, from what, why and when. */
@Entity({ tableName: 'order_transition' })
export class OrderTransition {
  @PrimaryKey({ type: 'bigint', autoincrement: true }) id: string;
  @Property({ type: 'string', columnType: 'text' }) orderId: string;
  /** The step's number within its order: orders the timeline and names the event (`orderId:number`). */
  @Property({ type: 'integer' }) number: number;
  @Property({ type: 'string', columnType: 'text', nullable: true }) fromStatus?: OrderStatus;
  @Property({ type: 'string', columnType: 'text' }) toStatus: OrderStatus;
  @Property({ type: 'text' }) cause: string;
  @Property({ type: 'Date', columnType: 'timestamptz' }) at: Date;

  constructor(orderId: string, step: OrderStep) {
    this.orderId = orderId;
    this.number = step.number;
    this.fromStatus = step.from ?? undefined;
    this.toStatus = step.to;
    this.cause = step.cause;
    this.at = step.at;
  }
}
