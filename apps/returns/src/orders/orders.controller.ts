import { Controller, type OnModuleInit } from '@nestjs/common';
import { Topics } from '@fil/contracts';
import { MessageConsumer } from '@fil/messaging';
import { OrdersService } from './orders.service';

/** Kafka entry point only: returns has no HTTP API for orders. */
@Controller()
export class OrdersController implements OnModuleInit {
  constructor(
    private readonly service: OrdersService,
    private readonly consumer: MessageConsumer,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.ordersEvents, (message, em) => this.service.handleOrderEvent(message, em), this.service.batch);
  }
}
