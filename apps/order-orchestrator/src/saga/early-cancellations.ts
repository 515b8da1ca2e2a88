import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { setting } from '@fil/config';
import { MessageConsumer, type IncomingMessage } from '@fil/messaging';
import { BatchRows } from '@fil/persistence';
import { Sweepers, type DeadlineJob } from '@fil/platform';
import { PendingCancellation } from './pending-cancellation.entity';
import { EARLY_CANCEL_TTL_SECONDS, SAGA_POLL_MS } from './saga-variables';

/**
 * CancelOrders that overtook their order (they travel on another topic): kept, and the order
 * cancelled the moment it arrives, never routed. One whose order has not come within
 * FIL_EARLY_CANCEL_TTL_SECONDS (24 h) can no longer apply: the sweep sends it to the DLQ
 * with why, so that the channel's cancellation is not dropped unseen.
 */
@Injectable()
export class EarlyCancellations implements OnApplicationBootstrap, DeadlineJob {
  readonly what = 'early cancellations';
  private readonly logger = new Logger(EarlyCancellations.name);
  private readonly keepForMs = setting(EARLY_CANCEL_TTL_SECONDS) * 1000;
  private readonly keptInBatch = new BatchRows<PendingCancellation>((early) => early.orderId);

  constructor(
    private readonly orm: MikroORM,
    private readonly consumer: MessageConsumer,
    private readonly sweepers: Sweepers,
  ) {}

  onApplicationBootstrap() {
    this.sweepers.start(this, setting(SAGA_POLL_MS));
  }

  /** Kept for its order; the first one wins (one past its bound is dead-lettered first). */
  async keep(em: EntityManager, message: IncomingMessage, orderId: string, reason: string): Promise<void> {
    await this.deadLetterExpired(em, orderId);
    const kept = { ...message, value: null };
    await em.execute(
      'insert into pending_cancellation (order_id, reason, received_at, message) values (?, ?, now(), ?::jsonb) on conflict (order_id) do nothing',
      [orderId, reason, JSON.stringify(kept)],
      'run',
    );
    this.logger.log(`CancelOrder for ${orderId} kept: the order has not arrived yet`);
  }

  /**
   * A CancelOrder that came before the order `orderId`, used up: `cause` when it cancels
   * the order, `note` for the order's first step when it came too long before (and the sweep has not seen it yet).
   * `refusal`: the order cannot be cancelled (it arrived invalid), so the CancelOrder goes to the DLQ with it.
   */
  async cameFirst(em: EntityManager, orderId: string, now = new Date(), refusal?: string): Promise<{ cause?: string; note?: string }> {
    const early = await this.keptInBatch.find(em, orderId, () => em.findOne(PendingCancellation, { orderId }));
    if (!early) return {};
    em.remove(early);
    const applies = early.appliesAt(now, this.keepForMs);
    if (applies && refusal) {
      if (early.message) await this.consumer.deadLetterKept(em, early.message as IncomingMessage, refusal);
      return {};
    }
    if (applies) return { cause: early.cause() };
    // Past its bound, as the sweep would have found it: dead-lettered all the same, so that the channel learns it was not applied.
    const reason = `order ${orderId} arrived more than ${this.keepForMs / 1000} s after its CancelOrder (received at ${early.receivedAt.toISOString()}): the CancelOrder was not applied`;
    if (early.message) await this.consumer.deadLetterKept(em, early.message as IncomingMessage, reason);
    return { note: early.describe(this.keepForMs) };
  }

  /** Loads the CancelOrders kept for a batch's orders in one query: `cameFirst` then asks the database for none of the others. */
  async loadKept(em: EntityManager, orderIds: string[]): Promise<void> {
    await this.keptInBatch.preload(em, orderIds, (ids) => em.find(PendingCancellation, { orderId: { $in: ids } }));
  }

  async due(limit: number, skip: string[]): Promise<string[]> {
    const rows = await this.orm.em.fork().execute<{ order_id: string }[]>(
      `select order_id from pending_cancellation
        where received_at < ? and order_id not in (select jsonb_array_elements_text(?::jsonb))
        order by received_at limit ?`,
      [this.cutOff(), JSON.stringify(skip), limit],
    );
    return rows.map((row) => row.order_id);
  }

  handle(orderId: string): Promise<boolean> {
    return this.orm.em.fork().transactional((em: EntityManager) => this.deadLetterExpired(em, orderId));
  }

  /** The CancelOrder kept for `orderId` if it is past its bound: taken out and dead-lettered; false when there is none. */
  private async deadLetterExpired(em: EntityManager, orderId: string): Promise<boolean> {
    const [expired] = await em.execute<{ message: IncomingMessage | null; received_at: Date }[]>(
      'delete from pending_cancellation where order_id = ? and received_at < ? returning message, received_at',
      [orderId, this.cutOff()],
    );
    if (!expired) return false;
    const reason = `order ${orderId} did not arrive within ${this.keepForMs / 1000} s of its CancelOrder (received at ${new Date(expired.received_at).toISOString()}): there is nothing to cancel`;
    // Kept before the message was: nothing to dead-letter but the fact.
    if (!expired.message) this.logger.warn(`CancelOrder dropped: ${reason}`);
    else await this.consumer.deadLetterKept(em, expired.message, reason);
    return true;
  }

  private cutOff(): Date {
    return new Date(Date.now() - this.keepForMs);
  }
}
