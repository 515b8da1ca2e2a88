import { Body, Controller, HttpCode, Param, Post, type OnModuleInit } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, type Principal } from '@fil/auth';
import { Topics } from '@fil/contracts';
import { MessageConsumer } from '@fil/messaging';
import { CancelOrderBody } from '../orders/dto/cancel-order.body';
import { OrderView } from '../orders/dto/order.view';
import { OrderCancellation } from './cancellation';
import { OrderIntake } from './intake';
import { OrderBatches } from './order-batches';

/** What channels and people ask of an order: submitted orders and CancelOrder on Kafka, a cancellation over HTTP. */
@ApiTags('orders')
@Controller('orders')
export class OrderRequestsController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly intake: OrderIntake,
    private readonly cancellation: OrderCancellation,
    private readonly batches: OrderBatches,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.ordersSubmitted, (message, em) => this.intake.handleSubmitted(message, em), {
      ...this.batches.options,
      refused: (message, reason, em) => this.intake.rejectRefused(message, reason, em),
    });
    this.consumer.on(Topics.ordersCommands, (message, em) => this.cancellation.handleCommand(message, em));
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
    return this.cancellation.requestedBy(caller, id, body.reason);
  }
}
