import { Controller, type OnModuleInit } from '@nestjs/common';
import { Topics } from '@fil/contracts';
import { MessageConsumer } from '@fil/messaging';
import { AdjustmentsService } from './adjustments.service';

/** Kafka entry point for stock adjustments from POS, WMS and returns. */
@Controller()
export class AdjustmentsController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly adjustments: AdjustmentsService,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.inventoryAdjustments, (message, em) => this.adjustments.apply(message, em));
  }
}
