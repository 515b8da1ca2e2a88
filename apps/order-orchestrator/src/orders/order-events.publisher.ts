import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ORDER_EDITED, ORDER_EVENT_TYPES, ORDER_RESUMED, Topics, type OrderEdit, type OrderResumption, type OrderStatus } from '@fil/contracts';
import { Outbox } from '@fil/messaging';
import type { Order, OrderStep } from './order.entity';
import { OrderTransition } from './order-transition.entity';

/**
 * The one way an order's status changes: the entity takes the step, the step
 * joins the timeline and the order's state is published, all in the caller's
 * transaction.
 */
@Injectable()
export class OrderEventsPublisher {
  constructor(private readonly outbox: Outbox) {}

  /** Moves the order to `to` (or throws OrderTransitionRefused), recorded and published. */
  async transition(em: EntityManager, order: Order, to: OrderStatus, cause: string): Promise<void> {
    await this.record(em, order, order.transition(to, cause));
  }

  /**
   * Into NEEDS_ATTENTION because a service never answered a step: a late answer to it may take
   * the order back without a person (saga/attention.ts). An order already there keeps its first reason.
   */
  async needsAttentionAfterSilence(em: EntityManager, order: Order, why: string): Promise<void> {
    if (!order.canMoveTo('NEEDS_ATTENTION')) return;
    await this.transition(em, order, 'NEEDS_ATTENTION', why);
    order.attentionOnSilence = true;
  }

  /**
   * Records and publishes a step the order has just taken; an edit is announced as OrderEdited
   * with what it changed, a person's way out of NEEDS_ATTENTION as OrderResumed.
   */
  async record(em: EntityManager, order: Order, step: OrderStep, about?: { edit: OrderEdit } | { resumed: OrderResumption }): Promise<void> {
    em.persist(new OrderTransition(order.orderId, step));
    await this.outbox.add(em, {
      topic: Topics.ordersEvents,
      key: order.orderId,
      type: about ? ('edit' in about ? ORDER_EDITED : ORDER_RESUMED) : ORDER_EVENT_TYPES[step.to],
      data: { ...order.toEvent(step), ...about },
      // One event per step: however often a cause is replayed, a step is announced once.
      id: `${order.orderId}:${step.number}`,
    });
  }
}
