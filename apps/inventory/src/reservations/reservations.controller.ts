import { Controller, type OnModuleInit } from '@nestjs/common';
import { Topics } from '@fil/contracts';
import { MessageConsumer, Outbox } from '@fil/messaging';
import { lockStockOfBatch } from './batch-locks';
import { reserveInBulk } from './bulk-reserve';
import { ReservationsService } from './reservations.service';

/** Kafka entry point for the orchestrator's ReserveStock, ReleaseReservation and CommitReservation. */
@Controller()
export class ReservationsController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly reservations: ReservationsService,
    private readonly outbox: Outbox,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.inventoryCommands, (message, em) => this.reservations.handleCommand(message, em), {
      prepareBatch: lockStockOfBatch,
      handleBatch: (messages, em) => reserveInBulk(messages, em, (tx, outgoing) => this.outbox.add(tx, ...outgoing)),
    });
  }
}
