import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, type Principal } from '@fil/auth';
import { ListOrdersQuery } from './dto/list-orders.query';
import { OrderView } from './dto/order.view';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @Access('admin', 'ops', 'channel')
  @ApiOperation({ summary: "A customer's orders from every channel, or the orders in one status (both: a customer's in that status), newest first, at most 100" })
  @ApiResponse({ status: 200, description: 'Order summaries: orderId, status, channel, deliveryMode, currency, placedAt, lines' })
  @ApiResponse({ status: 400, description: 'Neither customerId nor status, or an unknown status' })
  list(@Query() query: ListOrdersQuery, @Caller() caller: Principal) {
    return this.orders.list(query, caller);
  }

  @Get(':id')
  @Access('admin', 'ops', 'channel')
  @ApiOperation({ summary: 'One order: state, lines, allocations, timeline and routing explanation' })
  @ApiResponse({ status: 200, type: OrderView, description: 'The order' })
  @ApiResponse({ status: 404, description: "Unknown order, or another channel's" })
  get(@Param('id') id: string, @Caller() caller: Principal): Promise<OrderView> {
    return this.orders.get(id, caller);
  }
}
