import { Controller, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FULFILLMENT_EVENT_TYPES, InventoryEventTypes, Topics } from '@fil/contracts';
import { MessageConsumer, type IncomingMessage } from '@fil/messaging';
import { OrderSaga } from './order-saga';
import { readFulfillmentEvent, readRefund, readReservationOutcome } from './saga-messages';

/** Kafka entry points for the answers that drive the saga; types the saga does not wait for are ignored. */
@Controller()
export class SagaController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly saga: OrderSaga,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.inventoryEvents, (message, em) => this.onInventoryEvent(message, em));
    this.consumer.on(Topics.fulfillmentEvents, (message, em) => this.onFulfillmentEvent(message, em));
    this.consumer.on(Topics.refunds, (message, em) => this.saga.refunded(em, readRefund(message.value)));
  }

  private async onInventoryEvent(message: IncomingMessage, em: EntityManager): Promise<void> {
    if (message.type === InventoryEventTypes.reserved) await this.saga.stockReserved(em, readReservationOutcome(message.value));
    else if (message.type === InventoryEventTypes.refused) await this.saga.stockReservationRefused(em, readReservationOutcome(message.value));
  }

  private async onFulfillmentEvent(message: IncomingMessage, em: EntityManager): Promise<void> {
    switch (message.type) {
      case FULFILLMENT_EVENT_TYPES.PICKED:
      case FULFILLMENT_EVENT_TYPES.PACKED:
        return this.saga.fulfillmentStarted(em, readFulfillmentEvent(message.value));
      case FULFILLMENT_EVENT_TYPES.SHIPPED:
        return this.saga.fulfillmentShipped(em, readFulfillmentEvent(message.value));
      case FULFILLMENT_EVENT_TYPES.DELIVERED:
        return this.saga.fulfillmentDelivered(em, readFulfillmentEvent(message.value));
    }
  }
}
