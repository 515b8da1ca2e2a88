import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { mayActAt, mayActForChannel, type Principal } from '@fil/auth';
import { DEFAULT_PAGE_SIZE, type ListOrdersQuery } from './dto/list-orders.query';
import { loadOrderView, toOrderSummary, type OrderSummary, type OrderView } from './dto/order.view';
import { decodeCursor, encodeCursor } from './order-cursor';
import { Order } from './order.entity';

/** One page of orders, and where the next one starts when there is one. */
export interface OrdersPage {
  orders: OrderSummary[];
  next?: string;
}

/** What ops, customer service and channels read of orders. */
@Injectable()
export class OrdersService {
  constructor(private readonly em: EntityManager) {}

  /** Another channel's order is answered as unknown: its existence is not theirs to learn. */
  async get(orderId: string, caller: Principal): Promise<OrderView> {
    const em = this.em.fork();
    const order = await em.findOne(Order, { orderId });
    // Staff see the orders their locations serve: picked, shipped, sent from or collected there.
    const servedAt = (candidate: Order) => mayActAt(caller, candidate.pickupLocationId, ...candidate.allocations.map((allocation) => allocation.locationId));
    if (!order || !mayActForChannel(caller, order.channel) || !servedAt(order)) throw new NotFoundException(`order ${orderId} not found`);
    return loadOrderView(em, order);
  }

  /**
   * Orders by customer, channel and/or status, newest first, a page at a time (keyset on
   * created_at and order id, docs/contract.md); a channel sees its own only.
   */
  async list({ customerId, channel, status, limit = DEFAULT_PAGE_SIZE, cursor }: ListOrdersQuery, caller: Principal): Promise<OrdersPage> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (after && 'invalid' in after) throw new BadRequestException(after.invalid);
    const conditions: string[] = [];
    const values: unknown[] = [];
    const where = (sql: string, ...params: unknown[]) => (conditions.push(sql), values.push(...params));
    if (customerId !== undefined) where('customer_id = ?', customerId);
    if (channel !== undefined) where('channel = ?', channel);
    if (status !== undefined) where('status = ?', status);
    if (caller.role === 'channel') where('channel in (select jsonb_array_elements_text(?::jsonb))', JSON.stringify(caller.channels ?? []));
    if (after) where('(created_at, order_id) < (?::timestamptz, ?)', after.createdAt, after.orderId);
    const em = this.em.fork();
    // One more than asked: tells whether a next page exists without counting.
    const rows = await em.execute<{ order_id: string; created_at: string }[]>(
      `select order_id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at
       from customer_order where ${conditions.join(' and ') || 'true'}
       order by created_at desc, order_id desc limit ?`,
      [...values, limit + 1],
    );
    const page = rows.slice(0, limit);
    const orders = new Map((await em.find(Order, { orderId: { $in: page.map((row) => row.order_id) } })).map((order) => [order.orderId, order]));
    const last = page.at(-1);
    return {
      orders: page.map((row) => toOrderSummary(orders.get(row.order_id)!)),
      next: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, orderId: last.order_id }) : undefined,
    };
  }
}
