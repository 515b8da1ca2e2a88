import { Controller, type OnModuleInit } from '@nestjs/common';
import { Topics } from '@fil/contracts';
import { MessageConsumer } from '@fil/messaging';
import { lockStockOfBatch } from './batch-locks';
import { ReservationsService } from './reservations.service';

/** Kafka entry point for the orchestrator's ReserveStock, ReleaseReservation and CommitReservation. */
@Controller()
export class ReservationsController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly reservations: ReservationsService,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.inventoryCommands, (message, em) => this.reservations.handleCommand(message, em), {
      prepareBatch: lockStockOfBatch,
    });
  }
}
