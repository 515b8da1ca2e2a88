import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DELIVERY_MODES, DOT_SEGMENT, MAX_ORDER_ID_LENGTH, nestedTooDeep, priceOf, SubmitOrderDto, unsafeInput, validateAs, type DeliveryMode, type OrderLine } from '@fil/contracts';
import { canonicalJson, InvalidMessage, type IncomingMessage } from '@fil/messaging';
import { currentTraceparent } from '@fil/observability';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { lockOrder, lockOrderIds, rememberOrder } from '../orders/order-lock';
import { Order, type OrderFields } from '../orders/order.entity';
import { OrderCancellation } from './cancellation';
import { EarlyCancellations } from './early-cancellations';
import { OrderSaga } from './order-saga';

/** Orders as channels submit them: kept (valid or not, so the channel learns why), then routed. */
@Injectable()
export class OrderIntake {
  constructor(
    private readonly events: OrderEventsPublisher,
    private readonly saga: OrderSaga,
    private readonly cancellation: OrderCancellation,
    private readonly early: EarlyCancellations,
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
    if (!isOrderId(orderId)) throw new InvalidMessage(whyUnidentified(orderId)!);
    // A value too deep to validate field by field is rejected whole, as one refused on arrival.
    if (nestedTooDeep(value)) return this.rejectRefused(message, unsafeInput(value).join('; '), em);

    const contentHash = hashOf(contractedContent(value));
    await lockOrderIds(em, [orderId]);
    const existing = await lockOrder(em, orderId);
    if (existing) {
      // Orders stored before the hash left out unnamed fields hold the hash of the whole message.
      if (existing.contentHash === contentHash || existing.contentHash === hashOf(value)) return;
      throw new InvalidMessage(`order ${orderId} already exists with different content`);
    }

    // The consumer span: the order's journey continues from here, whoever acts on it later.
    const traceparent = currentTraceparent();
    const checked = validateAs(SubmitOrderDto, value);
    if (!checked.ok) {
      const { order, step } = Order.reject({ ...readableFields(value, checked.errors), orderId, contentHash, traceparent }, checked.errors, 'VALIDATION_FAILED');
      await this.early.cameFirst(em, orderId, undefined, order.whyNotCancellable());
      em.persist(order);
      rememberOrder(em, order);
      await this.events.record(em, order, step);
    } else {
      const early = await this.early.cameFirst(em, orderId);
      const submitted = checked.value;
      const { order, step } = Order.receive(
        {
          orderId,
          channel: submitted.channel,
          deliveryMode: submitted.deliveryMode,
          customer: { ...submitted.customer },
          shippingAddress: submitted.shippingAddress && { ...submitted.shippingAddress },
          pickupLocationId: submitted.pickupLocationId,
          lines: submitted.lines.map(({ lineId, sku, quantity, unitPrice }) => ({ lineId, sku, quantity, unitPrice: priceOf(unitPrice) })),
          currency: submitted.currency.toUpperCase(),
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
   * A submission the consumer refused before reading it (over the size limit, not JSON), or one
   * nested too deep to read: the channel is answered with OrderRejected and the reason when the
   * orderId can be read and is new; from a value that is not JSON, as its text names it.
   */
  async rejectRefused(message: IncomingMessage, reason: string, em: EntityManager): Promise<void> {
    const value = object(message.value);
    const orderId = message.value === undefined ? orderIdInText(message.raw) : value?.orderId;
    if (!isOrderId(orderId)) return;
    await lockOrderIds(em, [orderId]);
    if (await em.findOne(Order, { orderId })) return;
    // The whole message: what made it too large may be a field the contract does not name, and the same order without it is not this refused one.
    const contentHash = hashOf(value && !nestedTooDeep(value) ? value : message.raw);
    const { order, step } = Order.reject({ orderId, channel: text(value?.channel), lines: [], contentHash, traceparent: currentTraceparent() }, [reason], 'VALIDATION_FAILED');
    em.persist(order);
    await this.events.record(em, order, step);
    await em.flush();
  }
}

/** Why `orderId` identifies no order, or undefined when it does: it is the key of the order's rows and URL. */
function whyUnidentified(orderId: unknown): string | undefined {
  if (typeof orderId !== 'string' || !orderId) return 'orderId: must be a non-empty string, the order cannot be identified';
  if (orderId.length > MAX_ORDER_ID_LENGTH || unsafeInput(orderId).length) {
    return `orderId: must be at most ${MAX_ORDER_ID_LENGTH} characters without control characters or lone surrogates, the order cannot be identified`;
  }
  if (DOT_SEGMENT.test(orderId)) return 'orderId: must not be . or .., which no URL path can name: the order could not be looked up';
  return undefined;
}

const isOrderId = (orderId: unknown): orderId is string => !whyUnidentified(orderId);

/**
 * The first `"orderId": "…"` of a text that is not JSON (cut short, say), when written without
 * escapes. A text that is JSON was refused for its envelope (its key or a header), not as an order.
 */
function orderIdInText(raw: string | null): string | undefined {
  try {
    JSON.parse(raw ?? '');
    return undefined;
  } catch {
    return raw?.match(/"orderId"\s*:\s*"([^"\\\u0000-\u001f]+)"/)?.[1];
  }
}

const SUBMITTED_FIELDS = ['orderId', 'channel', 'deliveryMode', 'customer', 'shippingAddress', 'pickupLocationId', 'lines', 'currency', 'placedAt'];
const LINE_FIELDS = ['lineId', 'sku', 'quantity', 'unitPrice'];

/**
 * What makes an order the same order: the fields its contract names. A field it does not name is
 * ignored, so a channel that resends an order with one added sends the same order. The customer
 * and the address are kept whole, so they count whole.
 */
function contractedContent(value: Record<string, unknown>): Record<string, unknown> {
  const content = pick(value, SUBMITTED_FIELDS);
  if (Array.isArray(content.lines)) content.lines = content.lines.map(contractedLine);
  return content;
}

const contractedLine = (line: unknown) => {
  const fields = object(line);
  return fields ? pick(fields, LINE_FIELDS) : line;
};

const pick = (value: Record<string, unknown>, fields: string[]) => Object.fromEntries(fields.filter((field) => Object.hasOwn(value, field)).map((field) => [field, value[field]]));

const hashOf = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');

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
