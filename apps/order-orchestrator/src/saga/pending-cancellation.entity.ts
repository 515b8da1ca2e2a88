import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A CancelOrder that came before its order: the two travel on different topics, so a
 * channel's cancellation may overtake its submission. Kept for the order, for a while.
 */
@Entity({ tableName: 'pending_cancellation' })
export class PendingCancellation {
  @PrimaryKey({ type: 'string', columnType: 'text' }) orderId: string;
  @Property({ type: 'string', columnType: 'text' }) reason: string;
  @Property({ type: 'Date', columnType: 'timestamptz' }) receivedAt: Date;
  /** The CancelOrder as it came (its value left out: `raw` holds it), to be dead-lettered if the order never comes. */
  @Property({ type: 'json', nullable: true }) message?: unknown;

  constructor(orderId: string, reason: string, receivedAt = new Date()) {
    this.orderId = orderId;
    this.reason = reason;
    this.receivedAt = receivedAt;
  }

  /** Whether it still cancels its order arriving at `now`: after `keepForMs` the channel has moved on. */
  appliesAt(now: Date, keepForMs: number): boolean {
    return now.getTime() - this.receivedAt.getTime() <= keepForMs;
  }

  /** Why the order is cancelled the moment it arrives. */
  cause(): string {
    return `${this.reason} (CancelOrder received at ${this.receivedAt.toISOString()}, before the order)`;
  }

  /** A word for the order's first step when it came too long before to apply. */
  describe(keepForMs: number): string {
    return `a CancelOrder received at ${this.receivedAt.toISOString()} was older than ${keepForMs / 1000} s and was not applied`;
  }
}
