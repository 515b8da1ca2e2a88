import { Body, Controller, HttpCode, Param, Post, type OnModuleInit } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access, Caller, type Principal } from '@fil/auth';
import { OrderCommandTypes, Topics } from '@fil/contracts';
import { MessageConsumer } from '@fil/messaging';
import { CancelOrderBody } from '../orders/dto/cancel-order.body';
import { EditOrderBody } from '../orders/dto/edit-order.body';
import { OrderView } from '../orders/dto/order.view';
import { OrderCancellation } from './cancellation';
import { OrderIntake } from './intake';
import { OrderBatches } from './order-batches';
import { OrderEdits } from './order-edits';

/** What channels and people ask of an order: submitted orders, CancelOrder and EditOrder on Kafka, a cancellation or an edit over HTTP. */
@ApiTags('orders')
@Controller('orders')
export class OrderRequestsController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly intake: OrderIntake,
    private readonly cancellation: OrderCancellation,
    private readonly batches: OrderBatches,
    private readonly edits: OrderEdits,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.ordersSubmitted, (message, em) => this.intake.handleSubmitted(message, em), {
      ...this.batches.options,
      refused: (message, reason, em) => this.intake.rejectRefused(message, reason, em),
    });
    this.consumer.on(
      Topics.ordersCommands,
      (message, em) => (message.type === OrderCommandTypes.edit ? this.edits.handleCommand(message, em) : this.cancellation.handleCommand(message, em)),
      this.batches.commandOptions,
    );
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Access('admin', 'ops', 'channel')
  @ApiOperation({ summary: 'Cancel an order not yet shipped: releases its stock and calls off its fulfillments' })
  @ApiResponse({ status: 200, type: OrderView, description: 'The cancelled order; one cancelled already is answered as it is, with nothing sent again' })
  @ApiResponse({ status: 400, description: 'A reason that is empty, not text or over 500 characters' })
  @ApiResponse({ status: 404, description: 'Unknown order' })
  @ApiResponse({ status: 409, description: 'No longer cancellable (shipped, delivered, rejected, expired...), with the reason' })
  cancel(@Param('id') id: string, @Body() body: CancelOrderBody, @Caller() caller: Principal): Promise<OrderView> {
    return this.cancellation.requestedBy(caller, id, body.reason ?? `cancelled by ${caller.sub}`);
  }

  @Post(':id/edit')
  @HttpCode(200)
  @Access('admin', 'ops', 'channel')
  @ApiOperation({
    summary: 'Edit an order before any part is picked: its lines (a line left out or a lower quantity cancels units), its address or its pickup store',
    description: 'The parts the edit touches are given back and what the order still needs is routed again; OrderEdited says what changed. The same editId again changes nothing.',
  })
  @ApiResponse({ status: 200, type: OrderView, description: 'The order as edited (new parts may still be being reserved)' })
  @ApiResponse({ status: 400, description: 'Malformed lines, address or store, or none of them given' })
  @ApiResponse({ status: 404, description: "Unknown order, or another channel's" })
  @ApiResponse({ status: 409, description: 'No longer editable (a part is picked, or the order is shipped, cancelled...), being routed (try again), a store for a home delivery or an address for a counter, or the network cannot serve the edit, with the reason' })
  edit(@Param('id') id: string, @Body() body: EditOrderBody, @Caller() caller: Principal): Promise<OrderView> {
    return this.edits.requestedBy(caller, id, body);
  }
}
