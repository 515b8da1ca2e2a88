import { Body, Controller, Get, HttpCode, Param, Post, Query, type OnModuleInit } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, type Principal } from '@fil/auth';
import { Topics } from '@fil/contracts';
import { MessageConsumer } from '@fil/messaging';
import { CancelOrderBody } from './dto/cancel-order.body';
import { ListOrdersQuery } from './dto/list-orders.query';
import { OrderView } from './dto/order.view';
import { OrderBatches } from '../saga/order-batches';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('orders')
export class OrdersController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly orders: OrdersService,
    private readonly batches: OrderBatches,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.ordersSubmitted, (message, em) => this.orders.handleSubmitted(message, em), {
      ...this.batches.options,
      refused: (message, reason, em) => this.orders.rejectRefused(message, reason, em),
    });
    this.consumer.on(Topics.ordersCommands, (message, em) => this.orders.handleCommand(message, em));
  }

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

  @Post(':id/cancel')
  @HttpCode(200)
  @Access('admin', 'ops', 'channel')
  @ApiOperation({ summary: 'Cancel an order not yet shipped: releases its stock and calls off its fulfillments' })
  @ApiResponse({ status: 200, type: OrderView, description: 'The cancelled order' })
  @ApiResponse({ status: 400, description: 'No reason given' })
  @ApiResponse({ status: 404, description: 'Unknown order' })
  @ApiResponse({ status: 409, description: 'No longer cancellable (shipped, delivered, rejected, already cancelled...), with the reason' })
  cancel(@Param('id') id: string, @Body() body: CancelOrderBody, @Caller() caller: Principal): Promise<OrderView> {
    return this.orders.cancel(id, body.reason, caller);
  }
}
