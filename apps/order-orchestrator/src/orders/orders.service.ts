import { createHash } from 'node:crypto';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { mayActForChannel, type Principal } from '@fil/auth';
import {
  CancelOrderDto,
  DELIVERY_MODES,
  MAX_ORDER_ID_LENGTH,
  nestedTooDeep,
  SubmitOrderDto,
  unsafeInput,
  validateAs,
  type DeliveryMode,
  type OrderLine,
} from '@fil/contracts';
import { canonicalJson, InvalidMessage, parseMessage, type IncomingMessage } from '@fil/messaging';
import { currentTraceparent, inTrace } from '@fil/observability';
import { OrderCancellation } from '../saga/cancellation';
import { OrderEventsPublisher } from './order-events.publisher';
import { OrderSaga } from '../saga/order-saga';
import { lockOrder, rememberOrder } from './order-lock';
import type { ListOrdersQuery } from './dto/list-orders.query';
import { toOrderSummary, toOrderView, type OrderView } from './dto/order.view';
import { Order, OrderTransitionRefused, type OrderFields } from './order.entity';
import { OrderTransition } from './order-transition.entity';

const CANCEL_ORDER = 'CancelOrder';

@Injectable()
export class OrdersService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: OrderEventsPublisher,
    private readonly saga: OrderSaga,
    private readonly cancellation: OrderCancellation,
  ) {}

  /**
   * Intake of `fil.orders.submitted.v1`. The orderId is the idempotency key: the
   * same order again changes nothing, other content under a known orderId is a
   * conflict for the DLQ. An invalid order whose orderId can be read is kept as
   * REJECTED with its errors, so the channel learns why. A CancelOrder that came first
   * cancels the order at once, unrouted.
   */
  async handleSubmitted(message: IncomingMessage, em: EntityManager): Promise<void> {
    const value = message.value as Record<string, unknown>;
    const orderId = value !== null && typeof value === 'object' && !Array.isArray(value) ? value.orderId : undefined;
    if (typeof orderId !== 'string' || !orderId) throw new InvalidMessage('orderId: must be a non-empty string, the order cannot be identified');
    // It is the key of the order's rows: one that cannot be stored identifies nothing.
    if (orderId.length > MAX_ORDER_ID_LENGTH || unsafeInput(orderId).length) {
      throw new InvalidMessage(`orderId: must be at most ${MAX_ORDER_ID_LENGTH} characters without control characters, the order cannot be identified`);
    }
    // Nor can a value too deep to hash and validate without exhausting the stack.
    if (nestedTooDeep(value)) throw new InvalidMessage(unsafeInput(value).join('; '));

    const contentHash = createHash('sha256').update(canonicalJson(value)).digest('hex');
    const existing = await lockOrder(em, orderId);
    if (existing) {
      if (existing.contentHash === contentHash) return;
      throw new InvalidMessage(`order ${orderId} already exists with different content`);
    }

    // The consumer span: the order's journey continues from here, whoever acts on it later.
    const traceparent = currentTraceparent();
    const early = await this.cancellation.cameFirst(em, orderId);
    const checked = validateAs(SubmitOrderDto, value);
    if (!checked.ok) {
      const { order, step } = Order.reject({ ...readableFields(value, checked.errors), orderId, contentHash, traceparent }, checked.errors, 'VALIDATION_FAILED');
      em.persist(order);
      rememberOrder(em, order);
      await this.events.record(em, order, step);
    } else {
      const submitted = checked.value;
      const { order, step } = Order.receive(
        {
          orderId,
          channel: submitted.channel,
          deliveryMode: submitted.deliveryMode,
          customer: { ...submitted.customer },
          shippingAddress: submitted.shippingAddress && { ...submitted.shippingAddress },
          pickupLocationId: submitted.pickupLocationId,
          lines: submitted.lines.map(({ lineId, sku, quantity, unitPrice }) => ({ lineId, sku, quantity, unitPrice })),
          currency: submitted.currency,
          placedAt: new Date(submitted.placedAt),
          contentHash,
          traceparent,
        },
        `submitted by channel ${submitted.channel}${early.note ? `; ${early.note}` : ''}`,
      );
      em.persist(order);
      rememberOrder(em, order);
      await this.events.record(em, order, step);
      if (early.cause) await this.cancellation.cancel(em, order, early.cause);
      else await this.saga.route(em, order);
    }
  }

  /**
   * A submission the consumer refused before reading it (over the size limit): the channel is
   * answered with OrderRejected and the reason when the orderId can be read and is new.
   */
  async rejectRefused(message: IncomingMessage, reason: string, em: EntityManager): Promise<void> {
    const value = object(message.value);
    const orderId = value?.orderId;
    if (typeof orderId !== 'string' || !orderId || (await em.findOne(Order, { orderId }))) return;
    const contentHash = createHash('sha256').update(canonicalJson(value)).digest('hex');
    const { order, step } = Order.reject({ orderId, channel: text(value!.channel), lines: [], contentHash, traceparent: currentTraceparent() }, [reason], 'VALIDATION_FAILED');
    em.persist(order);
    await this.events.record(em, order, step);
    await em.flush();
  }

  /** `fil.orders.commands.v1`: CancelOrder (the topic's only command, so a missing ce_type means it too), even ahead of its order. */
  async handleCommand(message: IncomingMessage, em: EntityManager): Promise<void> {
    if (message.type !== undefined && message.type !== CANCEL_ORDER) {
      throw new InvalidMessage(`unknown command type ${message.type}: expected ${CANCEL_ORDER}`);
    }
    const { orderId, reason } = parseMessage(CancelOrderDto, message.value, 'CancelOrder');
    await this.cancellation.requested(em, orderId, reason);
    await em.flush();
  }

  /** `POST /orders/{id}/cancel`, in the order's trace. */
  async cancel(orderId: string, reason: string, caller: Principal): Promise<OrderView> {
    const found = await this.em.fork().findOne(Order, { orderId }, { fields: ['traceparent', 'channel'] });
    if (!found || !mayActForChannel(caller, found.channel)) throw new NotFoundException(`order ${orderId} not found`);
    return inTrace('orchestrator.cancel', found.traceparent ?? undefined, { 'fil.order.id': orderId }, () =>
      this.em.fork().transactional(async (em) => {
        const order = (await lockOrder(em, orderId))!;
        try {
          await this.cancellation.cancel(em, order, reason);
        } catch (error) {
          if (error instanceof OrderTransitionRefused) throw new ConflictException(error.message);
          throw error;
        }
        await em.flush();
        return this.view(em, order);
      }),
    );
  }

  /** Another channel's order is answered as unknown: its existence is not theirs to learn. */
  async get(orderId: string, caller: Principal): Promise<OrderView> {
    const em = this.em.fork();
    const order = await em.findOne(Order, { orderId });
    if (!order || !mayActForChannel(caller, order.channel)) throw new NotFoundException(`order ${orderId} not found`);
    return this.view(em, order);
  }

  /** A customer's orders, or the orders in one status, newest first; a channel sees its own only. */
  async list({ customerId, status }: ListOrdersQuery, caller: Principal) {
    const where = {
      ...(customerId ? { customerId } : {}),
      ...(status ? { status } : {}),
      ...(caller.role === 'channel' ? { channel: { $in: caller.channels! } } : {}),
    };
    const orders = await this.em.fork().find(Order, where, { orderBy: { createdAt: 'desc', orderId: 'asc' }, limit: 100 });
    return orders.map(toOrderSummary);
  }

  private async view(em: EntityManager, order: Order): Promise<OrderView> {
    const timeline = await em.find(OrderTransition, { orderId: order.orderId }, { orderBy: { number: 'asc' } });
    return toOrderView(order, timeline);
  }
}

/**
 * What can be kept of an invalid submission: each field that passed its checks (one that failed
 * may not even be storable: a NUL byte, a date PostgreSQL refuses), and the lines that can be read.
 */
function readableFields(submitted: Record<string, unknown>, errors: string[]): Omit<OrderFields, 'orderId' | 'contentHash' | 'traceparent'> {
  const failed = new Set(errors.map((error) => error.split(/[.:]/)[0]));
  const value = Object.fromEntries(Object.entries(submitted).filter(([field]) => !failed.has(field)));
  const placedAt = typeof value.placedAt === 'string' ? new Date(value.placedAt) : undefined;
  return {
    channel: text(value.channel),
    deliveryMode: DELIVERY_MODES.includes(value.deliveryMode as DeliveryMode) ? (value.deliveryMode as DeliveryMode) : undefined,
    customer: object(value.customer),
    shippingAddress: object(value.shippingAddress),
    pickupLocationId: text(value.pickupLocationId),
    lines: Array.isArray(submitted.lines) ? submitted.lines.filter(isReadableLine).map(({ lineId, sku, quantity, unitPrice }) => ({ lineId, sku, quantity, unitPrice })) : [],
    currency: text(value.currency),
    placedAt: placedAt && !Number.isNaN(placedAt.getTime()) ? placedAt : undefined,
  };
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const object = (value: unknown) =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function isReadableLine(line: unknown): line is OrderLine {
  const candidate = object(line);
  return (
    !!candidate &&
    !unsafeInput(candidate).length &&
    typeof candidate.lineId === 'string' &&
    typeof candidate.sku === 'string' &&
    Number.isFinite(candidate.quantity) &&
    Number.isFinite(candidate.unitPrice)
  );
}
