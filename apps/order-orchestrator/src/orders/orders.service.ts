import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { mayActForChannel, type Principal } from '@fil/auth';
import type { ListOrdersQuery } from './dto/list-orders.query';
import { loadOrderView, toOrderSummary, type OrderView } from './dto/order.view';
import { Order } from './order.entity';

/** What ops, customer service and channels read of orders. */
@Injectable()
export class OrdersService {
  constructor(private readonly em: EntityManager) {}

  /** Another channel's order is answered as unknown: its existence is not theirs to learn. */
  async get(orderId: string, caller: Principal): Promise<OrderView> {
    const em = this.em.fork();
    const order = await em.findOne(Order, { orderId });
    if (!order || !mayActForChannel(caller, order.channel)) throw new NotFoundException(`order ${orderId} not found`);
    return loadOrderView(em, order);
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
}
