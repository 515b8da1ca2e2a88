import { Body, Controller, Get, HttpCode, Param, Post, Query, type OnModuleInit } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Topics } from '@fil/contracts';
import { MessageConsumer } from '@fil/messaging';
import { CancelOrderBody } from './dto/cancel-order.body';
import { ListOrdersQuery } from './dto/list-orders.query';
import { OrderView } from './dto/order.view';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('orders')
export class OrdersController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly orders: OrdersService,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.ordersSubmitted, (message, em) => this.orders.handleSubmitted(message, em));
    this.consumer.on(Topics.ordersCommands, (message, em) => this.orders.handleCommand(message, em));
  }

  @Get()
  @ApiOperation({ summary: "A customer's orders from every channel, or the orders in one status (both: a customer's in that status), newest first, at most 100" })
  @ApiResponse({ status: 200, description: 'Order summaries: orderId, status, channel, deliveryMode, currency, placedAt, lines' })
  @ApiResponse({ status: 400, description: 'Neither customerId nor status, or an unknown status' })
  list(@Query() query: ListOrdersQuery) {
    return this.orders.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One order: state, lines, allocations, timeline and routing explanation' })
  @ApiResponse({ status: 200, type: OrderView, description: 'The order' })
  @ApiResponse({ status: 404, description: 'Unknown order' })
  get(@Param('id') id: string): Promise<OrderView> {
    return this.orders.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an order not yet shipped: releases its stock and calls off its fulfillments' })
  @ApiResponse({ status: 200, type: OrderView, description: 'The cancelled order' })
  @ApiResponse({ status: 400, description: 'No reason given' })
  @ApiResponse({ status: 404, description: 'Unknown order' })
  @ApiResponse({ status: 409, description: 'No longer cancellable (shipped, delivered, rejected, already cancelled...), with the reason' })
  cancel(@Param('id') id: string, @Body() body: CancelOrderBody): Promise<OrderView> {
    return this.orders.cancel(id, body.reason);
  }
}
