import { Controller, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FULFILLMENT_CANCEL_REFUSED, FULFILLMENT_EVENT_TYPES, InventoryEventTypes, Topics } from '@fil/contracts';
import { MessageConsumer, type IncomingMessage } from '@fil/messaging';
import { StockService } from '../stock/stock.service';
import { backordersDueFor } from './backorder-due';
import { FulfillmentProgress } from './fulfillment-progress';
import { Refunds } from './refunds';
import { ReservationAnswers } from './reservation-answers';
import { readAvailabilityReport, readFulfillmentEvent, readRefund, readReservationOutcome, readStockShortage } from './saga-messages';
import { Shortages } from './shortages';

/** Every fulfillment status, and the refusal of a call-off that came too late. */
const FULFILLMENT_TYPES = new Set([...Object.values(FULFILLMENT_EVENT_TYPES), FULFILLMENT_CANCEL_REFUSED]);

/** Kafka entry points for the answers that drive the saga (order-saga.ts lists its steps); types the saga does not wait for are ignored. */
@Controller()
export class SagaController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly reservations: ReservationAnswers,
    private readonly shortages: Shortages,
    private readonly fulfillment: FulfillmentProgress,
    private readonly refunds: Refunds,
    private readonly stock: StockService,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.inventoryEvents, (message, em) => this.onInventoryEvent(message, em));
    this.consumer.on(Topics.fulfillmentEvents, (message, em) => this.onFulfillmentEvent(message, em));
    this.consumer.on(Topics.refunds, (message, em) => this.refunds.refunded(em, readRefund(message.value)));
    this.consumer.on(Topics.stockLevels, async (message, em) => {
      const arrived = await this.stock.handleLevel(message, em);
      if (arrived) await backordersDueFor(em, arrived);
    });
  }

  private async onInventoryEvent(message: IncomingMessage, em: EntityManager): Promise<void> {
    switch (message.type) {
      case InventoryEventTypes.reserved:
        return this.reservations.stockReserved(em, readReservationOutcome(message.value));
      case InventoryEventTypes.refused:
        return this.reservations.stockReservationRefused(em, readReservationOutcome(message.value));
      case InventoryEventTypes.released:
        return this.reservations.reservationSettled(em, readReservationOutcome(message.value), 'RELEASED');
      case InventoryEventTypes.committed:
        return this.reservations.reservationSettled(em, readReservationOutcome(message.value), 'COMMITTED');
      case InventoryEventTypes.expired:
        return this.reservations.reservationExpired(em, readReservationOutcome(message.value));
      case InventoryEventTypes.shortage:
        return this.shortages.stockShortage(em, readStockShortage(message.value));
      case InventoryEventTypes.availability:
        return this.reservations.availabilityReported(em, readAvailabilityReport(message.value));
    }
  }

  private async onFulfillmentEvent(message: IncomingMessage, em: EntityManager): Promise<void> {
    if (!message.type || !FULFILLMENT_TYPES.has(message.type)) return;
    const event = readFulfillmentEvent(message.value);
    await this.fulfillment.fulfillmentProgressed(em, event, message.type === FULFILLMENT_CANCEL_REFUSED ? (event.reason ?? 'cancel refused') : undefined);
  }
}
