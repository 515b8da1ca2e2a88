import { randomUUID } from 'node:crypto';
import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { mayActAt, mayActForChannel, type Principal } from '@fil/auth';
import { integer, setting } from '@fil/config';
import { RequestReturnDto, Topics, type ReceiveReturnDto, type Refund, type StockAdjustmentDto } from '@fil/contracts';
import { InvalidMessage, Outbox, parseMessage, type IncomingMessage } from '@fil/messaging';
import { currentTraceparent, inTrace } from '@fil/observability';
import { LocationView } from '../locations/location-view.entity';
import { OrderView } from '../orders/order-view.entity';
import { computeRefund } from './refund';
import type { ListReturnsQuery } from './dto/list-returns.query';
import { Return, sumBySku, type ReturnStatus } from './return.entity';
import { ReturnConflict, ReturnRefused } from './return.errors';

type ReturnRequest = RequestReturnDto & { returnId: string };

export const RETURN_WINDOW_DAYS = integer('FIL_RETURN_WINDOW_DAYS', { min: 1, max: 3650, unit: 'days', fallback: 30 }, 'How long after delivery a return may be requested.');

/** The most returns one `GET /returns` answers, as `GET /orders` does. */
const LIST_LIMIT = 100;

@Injectable()
export class ReturnsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: Outbox,
  ) {}

  /** `POST /returns`: the new return, or the same one again when this returnId was already requested. */
  async request(dto: RequestReturnDto, caller: Principal): Promise<{ ret: Return; created: boolean }> {
    const request = { ...dto, returnId: dto.returnId ?? randomUUID() };
    await this.assertMayActOnOrder(caller, request.orderId);
    try {
      return await this.em.fork().transactional((em) => this.requestIn(em, request, currentTraceparent()));
    } catch (error) {
      // Only when the same returnId is raced for two different orders: one wins, the other conflicts.
      if (error instanceof UniqueConstraintViolationException) throw new ReturnConflict(`return ${request.returnId} already exists`);
      throw error;
    }
  }

  /** `fil.returns.requested.v1`: a refused request is kept as a REJECTED return, since the sender has no reply topic. */
  async handleRequested(message: IncomingMessage, em: EntityManager): Promise<void> {
    const { returnId, orderId, lines, locationId } = parseMessage(RequestReturnDto, message.value);
    if (!returnId) throw new InvalidMessage('returnId: is required on fil.returns.requested.v1');
    try {
      await this.requestIn(em, { returnId, orderId, lines, locationId }, message.traceparent);
    } catch (error) {
      if (error instanceof ReturnConflict) throw new InvalidMessage(error.message);
      if (!(error instanceof ReturnRefused)) throw error;
      // Asked again and still refused: it stays as it was kept.
      if (await em.findOne(Return, { id: returnId })) return;
      const rejected = new Return(returnId, orderId, lines, message.traceparent, new Date(), locationId);
      rejected.reject(error);
      em.persist(rejected);
      await em.flush();
    }
  }

  /**
   * Order events just applied: the requests refused because returns had not seen these orders, or
   * seen them delivered, are checked again, so that a channel need not send them again.
   */
  async retakeRefusedForNow(em: EntityManager, orderIds: string[]): Promise<void> {
    if (!orderIds.length) return;
    const refused = await em.find(Return, { orderId: { $in: orderIds }, status: 'REJECTED', rejectionReason: { $in: ['UNKNOWN_ORDER', 'ORDER_NOT_DELIVERED'] } }, { orderBy: { createdAt: 'asc' } });
    for (const ret of refused) {
      try {
        await this.requestIn(em, { returnId: ret.id, orderId: ret.orderId, lines: ret.lines, locationId: ret.expectedLocationId ?? undefined }, ret.traceparent);
      } catch (error) {
        if (!(error instanceof ReturnRefused)) throw error;
        ret.refusedAgain(error);
      }
    }
    await em.flush();
  }

  /**
   * Another channel's return, or one received at another store than the staff's, is answered as
   * unknown; one not received yet is any store's to look up, since any of them may receive it.
   */
  async get(id: string, caller?: Principal): Promise<Return> {
    const ret = await this.em.fork().findOne(Return, { id });
    const receivedElsewhere = !!caller && !!ret?.receivedLocationId && !mayActAt(caller, ret.receivedLocationId);
    if (!ret || receivedElsewhere || (caller && !(await this.mayActOnOrder(caller, ret.orderId)))) throw new NotFoundException(`return ${id} not found`);
    return ret;
  }

  /** An order of another channel is answered as unknown, exactly like one returns never saw. */
  private async assertMayActOnOrder(caller: Principal, orderId: string): Promise<void> {
    if (!(await this.mayActOnOrder(caller, orderId))) throw new ReturnRefused('UNKNOWN_ORDER', `order ${orderId} is not known to returns`);
  }

  private async mayActOnOrder(caller: Principal, orderId: string): Promise<boolean> {
    if (caller.role !== 'channel') return true;
    const order = await this.em.fork().findOne(OrderView, { orderId }, { fields: ['channel'] });
    return !!order && mayActForChannel(caller, order.channel);
  }

  /**
   * `POST /returns/{id}/receive`: inspection, restock of resellable units and the
   * refund commit together, under a row lock on the return, so that concurrent or
   * repeated receipts refund once.
   */
  async receive(id: string, dto: ReceiveReturnDto, caller?: Principal): Promise<Return> {
    const found = await this.get(id, caller);
    const attributes = { 'fil.return.id': id, 'fil.order.id': found.orderId, 'fil.location.id': dto.locationId };
    return inTrace('returns.receive', found.traceparent, attributes, () =>
      this.em.fork().transactional(async (em) => {
        const ret = await em.findOneOrFail(Return, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const inspection = dto.lines.map(({ sku, quantity, condition }) => ({ sku, quantity, condition }));
        // A replayed receipt (retry, double click) answers the current state and publishes nothing.
        if (ret.status !== 'REQUESTED' && ret.isSameReceipt(dto.locationId, inspection)) return ret;
        await assertReceivesReturns(em, dto.locationId);
        ret.receive(dto.locationId, inspection, new Date());

        // Locking the order serialises the refunds of its returns: each goes on from the units the others refunded.
        const order = await em.findOne(OrderView, { orderId: ret.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!order) throw new ReturnRefused('UNKNOWN_ORDER', `order ${ret.orderId} is not known to returns`);
        const earlier = await em.find(Return, { orderId: ret.orderId, status: 'REFUNDED', id: { $ne: ret.id } }, { orderBy: { receivedAt: 'asc' } });
        const refund = computeRefund({
          returnId: ret.id,
          orderId: ret.orderId,
          // XXX is ISO 4217's "no currency": only when the order events never named one.
          currency: order.currency ?? 'XXX',
          inspection,
          paid: order.lines,
          refundedBefore: sumBySku(earlier.flatMap((other) => other.refund?.lines ?? [])),
        });
        ret.markRefunded(refund);
        await this.outbox.add(em, ...this.restockMessages(ret), this.refundMessage(refund));
        return ret;
      }),
    );
  }

  /** `GET /returns`: oldest first, at most LIST_LIMIT; staff see their own locations only (naming another one is a 403). */
  async list(query: ListReturnsQuery, caller: Principal): Promise<Return[]> {
    if (query.locationId && !mayActAt(caller, query.locationId)) throw new ForbiddenException("this token may not see that location's returns");
    const locations = query.locationId ? [query.locationId] : caller.role === 'staff' ? caller.locations! : undefined;
    const where = {
      ...(query.orderId ? { orderId: query.orderId } : {}),
      ...(query.status ? { status: { $in: query.status.split(',') as ReturnStatus[] } } : {}),
      // At a location: received there, or not received yet and expected there.
      ...(locations ? { $or: [{ receivedLocationId: { $in: locations } }, { receivedLocationId: null, expectedLocationId: { $in: locations } }] } : {}),
    };
    return this.em.fork().find(Return, where, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: LIST_LIMIT });
  }

  private async requestIn(em: EntityManager, request: ReturnRequest, traceparent: string | undefined) {
    // Locking the order serialises the requests of one order, so two cannot both claim the last units.
    const order = await em.findOne(OrderView, { orderId: request.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    // The request is a step of the order's journey: its trace, linked to the caller's.
    const attributes = { 'fil.return.id': request.returnId, 'fil.order.id': request.orderId };
    return inTrace('returns.request', order?.traceparent, attributes, () => this.checkRequest(em, request, order, order?.traceparent ?? traceparent));
  }

  private async checkRequest(em: EntityManager, request: ReturnRequest, order: OrderView | null, traceparent: string | undefined) {
    const existing = await em.findOne(Return, { id: request.returnId });
    if (existing && !existing.isSameRequest(request.orderId, request.lines, request.locationId)) {
      throw new ReturnConflict(`return ${request.returnId} already exists with a different order or lines`);
    }
    // Refused before returns saw the order delivered, the same request asked again is checked again.
    if (existing && !existing.refusedForNow()) return { ret: existing, created: false };
    if (!order) throw new ReturnRefused('UNKNOWN_ORDER', `order ${request.orderId} is not known to returns`);

    const others = await em.find(Return, { orderId: request.orderId, status: { $ne: 'REJECTED' } });
    const alreadyRequested = sumBySku(others.flatMap((other) => [...other.claimedQuantities()].map(([sku, quantity]) => ({ sku, quantity }))));
    order.assertReturnable(sumBySku(request.lines), alreadyRequested, new Date(), setting(RETURN_WINDOW_DAYS));
    if (request.locationId) await assertReceivesReturns(em, request.locationId);

    const ret = existing ?? new Return(request.returnId, request.orderId, request.lines, traceparent, new Date(), request.locationId);
    if (existing) existing.reopen(traceparent);
    em.persist(ret);
    await em.flush();
    return { ret, created: true };
  }

  private restockMessages(ret: Return) {
    return [...ret.resellable()].map(([sku, quantity]) => {
      const adjustment: StockAdjustmentDto = {
        // A SKU holds no ':', a returnId may hold anything: SKU first keeps two returns' ids apart.
        adjustmentId: `return-${sku}:${ret.id}`,
        locationId: ret.receivedLocationId!,
        sku,
        mode: 'DELTA',
        quantity,
        reason: 'RETURN_RESELLABLE',
      };
      const key = `${adjustment.locationId}:${sku}`;
      return { topic: Topics.inventoryAdjustments, key, type: 'StockAdjustment', data: adjustment, id: adjustment.adjustmentId };
    });
  }

  private refundMessage(refund: Refund) {
    return { topic: Topics.refunds, key: refund.returnId, type: 'RefundIssued', data: refund, id: refund.refundId };
  }
}

/** Any warehouse, or a store with a counter (PRODUCT.md); one that inventory never announced is unknown. */
async function assertReceivesReturns(em: EntityManager, locationId: string): Promise<void> {
  const location = await em.findOne(LocationView, { id: locationId });
  if (!location) throw new ReturnRefused('UNKNOWN_LOCATION', `location ${locationId} is not known to returns`);
  if (!location.receivesReturns()) {
    throw new ReturnRefused('LOCATION_CANNOT_RECEIVE', `${locationId} is a store without a counter (pickup): returns go to a store with one or to a warehouse`);
  }
}
